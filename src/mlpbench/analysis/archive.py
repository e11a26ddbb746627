"""The published findings read back, and a study's claims held against them.

The archive is findings/<hardware>/<study>/, one folder per finished study (written by
`mlpbench archive`, mlpbench.publish.archive): its claims.csv and machine.json are what is read
here. <hardware> is analysis.hardware.name() of the study's main hardware; <study> is
"<date>-<time>-<config>-<short revision>".

Held against the archive, a claim's verdict is judged only against studies of the same hardware:
confirmed there and refuted here (or the reverse) is a contradiction. Studies of other hardware
are shown beside it, never judged: a claim may hold on one machine and not on another.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlpbench.analysis.verdicts import DECISIVE, INCONCLUSIVE, NOT_TESTED, contradicts

ROOT = "findings"
MACHINE = "machine.json"
CLAIMS = "claims.csv"
CLAIM_COLUMNS = ["key", "claim", "verdict", "ratio", "ci_low", "ci_high", "threshold", "side",
                 "interval"]
STUDY_COLUMNS = ["hardware", "study", "config", "date", "path"]


@dataclass(frozen=True)
class Study:
    """One archived study: where it lies, its machine.json, its claims."""

    path: Path
    machine: dict
    claims: pd.DataFrame

    @property
    def hardware(self):
        return self.path.parent.name

    @property
    def name(self):
        return self.path.name

    @property
    def config(self):
        return self.machine.get("config_name", "")

    @property
    def date(self):
        return self.machine.get("date", "")


def studies(root=ROOT):
    """Every archived study under root, oldest first within each hardware; [] without one."""
    return read(machine.parent for machine in Path(root).glob(f"*/*/{MACHINE}"))


def read(folders):
    """The archived studies in these folders, oldest first within each hardware."""
    found = []
    for folder in map(Path, folders):
        claims = folder / CLAIMS
        if not claims.exists():
            raise ValueError(f"{folder}: an archived study without {CLAIMS}")
        found.append(Study(folder, json.loads((folder / MACHINE).read_text()),
                           pd.read_csv(claims).reindex(columns=CLAIM_COLUMNS)))
    return sorted(found, key=lambda s: (s.hardware, s.date, s.name))


def claims_table(archived):
    """One row per archived study and claim: STUDY_COLUMNS then CLAIM_COLUMNS."""
    frames = [s.claims.assign(hardware=s.hardware, study=s.name, config=s.config, date=s.date,
                              path=str(s.path)) for s in archived]
    if not frames:
        return pd.DataFrame(columns=STUDY_COLUMNS + CLAIM_COLUMNS)
    return pd.concat(frames, ignore_index=True)[STUDY_COLUMNS + CLAIM_COLUMNS]


def against(claims, hardware, archived, config=None):
    """This study's claims beside every archived study's (of `config` only, when given).

    One row per claim and archived study: this study's verdict, ratio and interval (`_here`
    columns), the archived one's, `same_hardware`, and `contradiction` (same hardware, one
    confirmed and the other refuted). A claim the archive lacks keeps one row with no archived
    study.
    """
    table = claims_table([s for s in archived if config is None or s.config == config])
    here = claims.reindex(columns=CLAIM_COLUMNS)
    out = here.merge(table.drop(columns="claim"), on="key", how="left",
                     suffixes=("_here", ""))
    out["same_hardware"] = out["hardware"] == hardware
    out["contradiction"] = [same and contradicts(a, b) for same, a, b in
                            zip(out["same_hardware"], out["verdict_here"], out["verdict"],
                                strict=True)]
    return out


def reproduction(table):
    """Per claim and hardware over archived claims (claims_table): how many studies tested it,
    the verdict most of them reached and how many did, whether any two contradict, and
    whether the claim is hardware-dependent (its decisive verdicts agree within each hardware
    but differ across hardware)."""
    rows = []
    for (key, hw), sel in table.groupby(["key", "hardware"], sort=False):
        tested = sel[sel["verdict"] != NOT_TESTED]["verdict"]
        counts = tested.value_counts()
        decisive = [v for v in DECISIVE if v in counts]
        verdict = (max(decisive, key=lambda v: counts[v]) if decisive else
                   INCONCLUSIVE if len(tested) else NOT_TESTED)
        rows.append({"key": key, "hardware": hw, "claim": sel["claim"].iloc[0],
                     "verdict": verdict, "agree": int(counts.get(verdict, 0)),
                     "tested": len(tested), "studies": len(sel),
                     "contradiction": len(decisive) == 2})
    out = pd.DataFrame(rows, columns=["key", "hardware", "claim", "verdict", "agree", "tested",
                                      "studies", "contradiction"])
    settled = out[~out["contradiction"] & out["verdict"].isin(DECISIVE)]
    varies = settled.groupby("key")["verdict"].nunique()
    out["hardware_dependent"] = out["key"].map(varies > 1).fillna(False).astype(bool)
    return out
