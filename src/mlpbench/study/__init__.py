"""How the study runs: the grid, its design, the timed processes (locally or in the images) and
the adaptive pass."""
