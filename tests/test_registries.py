"""The report's registries, figures and table pages alike: every entry has a name of its own,
its caption file and the path its rule writes, and no caption is left without its entry."""

import re
from pathlib import Path

import pytest

from mlpbench import paths
from mlpbench.report import figures, pages

ROOT = Path(__file__).resolve().parents[1]
REGISTRIES = {"figures": figures.FIGURES, "tables": pages.PAGES}
PATHS = {"figures": lambda e: paths.FIGURE.format(number=e.number, name=e.name),
         "tables": lambda e: paths.PAGE.format(name=e.name)}


@pytest.mark.parametrize("kind", REGISTRIES)
def test_every_entry_has_its_own_name_caption_and_path(kind):
    entries = REGISTRIES[kind]
    names = [entry.name for entry in entries]
    assert len(set(names)) == len(names)
    for entry in entries:
        assert re.fullmatch(r"[a-z_]+", entry.name)
        assert entry.caption == f"report/{kind}/{entry.name}.rst"
        assert (ROOT / entry.caption).read_text().strip(), entry.caption
        assert entry.path == PATHS[kind](entry)
        assert entry.category and all(entry.labels.values())
    assert {p.name for p in (ROOT / "report" / kind).iterdir()} == {f"{n}.rst" for n in names}
