"""Four verdicts of an effect against a threshold, and the evidence a claim is judged on.

confirmed: the 95% interval lies wholly on the claim's side of its threshold; refuted: wholly
on the other side; inconclusive: it straddles the threshold, or every run of a cell the claim
needs was disturbed; not tested here: a cell it needs did not run.
"""

from mlpbench.analysis import stats

CONFIRMED, REFUTED, INCONCLUSIVE, NOT_TESTED = ("confirmed", "refuted", "inconclusive",
                                                "not tested here")
VERDICTS = (CONFIRMED, REFUTED, INCONCLUSIVE, NOT_TESTED)
DECISIVE = (CONFIRMED, REFUTED)  # the verdicts that can contradict each other
ABOVE, BELOW = "above", "below"


def contradicts(verdict_a, verdict_b):
    """Whether two verdicts of one claim contradict: one confirmed, the other refuted."""
    return {verdict_a, verdict_b} == set(DECISIVE)


def decide(ci_low, ci_high, threshold, side):
    """The verdict of an interval against a threshold, the claim holding on `side`."""
    if side == ABOVE:
        return CONFIRMED if ci_low > threshold else REFUTED if ci_high < threshold \
            else INCONCLUSIVE
    return CONFIRMED if ci_high < threshold else REFUTED if ci_low > threshold \
        else INCONCLUSIVE


class Disturbed(Exception):
    """Every run of a cell the claim needs was disturbed."""


class Evidence:
    """The ok CPU epochs of the study, and the cells a claim asked for."""

    def __init__(self, epochs, prefer_threads, study_var=0.0):
        self.all, self.prefer, self.study_var = epochs, prefer_threads, study_var
        disturbed = epochs["disturbed"].fillna(False).astype(bool) \
            if "disturbed" in epochs else False
        self.clean = epochs[~disturbed] if "disturbed" in epochs else epochs
        self.cells = []
        self._spreads = {}

    def ratio(self, num, den):
        """stats.ratio of two cells, each {"value": column (default wall_s), "impl", "threads",
        ...}, each side's spread pooled over its kind's undisturbed runs, plus the variance
        between studies (study_var)."""
        sides = []
        for cell in (num, den):
            where = dict(cell)
            value = where.pop("value", "wall_s")
            if value not in self._spreads:
                self._spreads[value] = stats.kind_spreads(self.clean, value)
            spread = self._spreads[value].get((where["impl"], "cpu", where["threads"]))
            sides.append((self.runs(value, **where), spread))
        (num_runs, num_spread), (den_runs, den_spread) = sides
        return stats.ratio(num_runs, den_runs, num_spread, den_spread, self.study_var)

    def has(self, **where):
        return bool(stats.runs_of(self.all, **where))

    def runs(self, value="wall_s", **where):
        """The undisturbed runs' epoch values of one cell (device cpu)."""
        self.cells.append({"device": "cpu", **where})
        if not stats.runs_of(self.all, value, **where):
            return []
        clean = stats.runs_of(self.clean, value, **where)
        if not clean:
            raise Disturbed(", ".join(f"{k}={v}" for k, v in where.items()))
        return clean

    def threads(self, impls, dtype="float32", batch=None):
        """prefer_threads if every impl ran there, else the most threads at which all ran."""
        common = None
        for impl in impls:
            sel = self.all[(self.all["impl"] == impl) & (self.all["dtype"] == dtype)]
            if batch is not None:
                sel = sel[sel["batch"] == batch]
            have = set(sel["threads"])
            common = have if common is None else common & have
        if not common:
            return None
        return self.prefer if self.prefer in common else max(common)
