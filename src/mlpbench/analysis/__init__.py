"""From run records to verdicts: tidy tables, statistics, the claims, comparisons of studies."""
