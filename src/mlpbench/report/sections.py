"""The report's sections, in the order its menu lists them: figures and table pages name one."""

CLAIMS = "0 Claims of the article"
TIMING = "1 Timing"
SCALING = "2 Scaling and precision"
WHERE = "3 Where the time goes"
CORRECTNESS = "4 Correctness"
ENVIRONMENT = "5 Environment"
RUNS = "6 Runs"
