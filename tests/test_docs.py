"""The README is a front door: short, the implementations table names every implementation,
every page of docs/ is linked from it, and no link leaves the repository."""

import re
from pathlib import Path

from mlpbench.measure.implementations import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_readme_is_a_front_door():
    assert len(README.splitlines()) <= 150


def test_the_implementations_table_names_every_implementation_once():
    names = re.findall(r"^\| `([a-z0-9-]+)` \|", README, re.M)
    assert sorted(names) == sorted(REGISTRY)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(ROOT / target).resolve() for target in LINK.findall(README)}
    for page in (ROOT / "docs").glob("*.md"):
        assert page.resolve() in linked, f"{page.name} is not linked from README.md"


def test_no_link_leaves_the_repository_and_every_link_resolves():
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in LINK.findall(doc.read_text()):
            if re.match(r"[a-z]+://", target):
                continue
            path = (doc.parent / target).resolve()
            assert path.is_relative_to(ROOT), f"{doc.name} links outside: {target}"
            assert path.exists(), f"{doc.name} links to a missing {target}"
