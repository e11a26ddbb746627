"""`snakemake --lint`, with the one lint this workflow answers on purpose set aside.

Snakemake asks every rule for a `conda:` env or a `container:`. This workflow's software is
the project's locked environment and the Docker images that the launcher starts itself
(`container:` means Apptainer only), so that lint is accepted.
Any other lint fails:

    python -m mlpbench.tools.workflow_lint        # exit 1 and the lints when there are any
"""

import re
import subprocess
import sys

ACCEPTED = {
    "Specify a conda environment or container for each rule.":
        "software comes from the locked project environment / the project's Docker images",
}


def parse(text):
    """[(where, lint title)] from Snakemake's text lint report."""
    found, where = [], None
    for line in text.splitlines():
        head = re.match(r"Lints for (.*):$", line)
        if head:
            where = head.group(1)
            continue
        item = re.match(r"    \* (.*):$", line)
        if item and where:
            found.append((where, item.group(1)))
    return found


def main(argv=None):
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--lint", *(argv or [])],
                          capture_output=True, text=True, check=False)
    lints = parse(proc.stdout + proc.stderr)
    rejected = [(w, t) for w, t in lints if t not in ACCEPTED]
    for where, title in rejected:
        print(f"lint: {where}: {title}", file=sys.stderr)
    if proc.returncode != 0 and not lints:  # Snakemake failed for another reason
        print(proc.stdout + proc.stderr, file=sys.stderr)
        return proc.returncode
    accepted = len(lints) - len(rejected)
    print(f"snakemake --lint: {len(rejected)} lint(s) left, {accepted} accepted "
          f"({'; '.join(ACCEPTED.values())})")
    return 1 if rejected else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
