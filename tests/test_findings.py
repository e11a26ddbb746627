"""FINDINGS.md: generated from findings/ alone, up to date, linked from README's first screen;
and the answer sentences it opens with."""

import archived
import pandas as pd

from mlpbench.analysis import archive
from mlpbench.publish import archive as publish
from mlpbench.publish import findings
from mlpbench.report import answer

ROOT = archived.ROOT


def test_findings_md_is_generated_from_the_archive_and_up_to_date(monkeypatch):
    monkeypatch.chdir(ROOT)  # FINDINGS.md's links are relative to the repository
    text, sentence, figs = findings.render(archive.ROOT)
    assert (ROOT / "FINDINGS.md").read_text() == text, \
        "FINDINGS.md is stale: run `mlpbench findings`"
    readme = (ROOT / "README.md").read_text()
    assert findings.readme_with_answer(readme, sentence) == readme, \
        "README's answer block is stale: run `mlpbench findings`"
    for path in figs:
        assert (ROOT / path).exists(), f"{path} is missing: run `mlpbench findings`"


def test_readme_links_findings_and_states_the_answer_on_its_first_screen():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:30])
    assert "[FINDINGS.md](FINDINGS.md)" in first_screen
    assert findings.ANSWER_BEGIN in first_screen and findings.ANSWER_END in first_screen


def test_every_archived_number_links_to_its_folder():
    text = (ROOT / "FINDINGS.md").read_text()
    for study in archive.studies(ROOT / archive.ROOT):
        assert f"]({study.path.relative_to(ROOT).as_posix()}/" in text


def test_findings_of_a_synthetic_archive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, config in (("a", None), ("b", "quick.yaml")):
        results = archived.finished_study(archived.clone(tmp_path, name), config)
        publish.write(results, "findings")
    (tmp_path / "README.md").write_text(f"intro\n{findings.ANSWER_BEGIN}\nold\n"
                                        f"{findings.ANSWER_END}\nrest\n")
    written = findings.write("findings", "FINDINGS.md", "README.md")
    text = (tmp_path / "FINDINGS.md").read_text()
    assert "### test-4cpu-avx2" in text and "confirmed: 2 of 2" in text
    assert "Contradictions: none" in text
    assert all(p.exists() for p in written)
    readme = (tmp_path / "README.md").read_text()
    assert "old" not in readme and "**The answer so far**" in readme and "rest" in readme


def ranking(rows):
    """A ranking.csv of CPU float32 rows: (impl, threads, batch, median_s, speed, low, high)."""
    return pd.DataFrame([{"device": "cpu", "dtype": "float32", "impl": i, "threads": t,
                          "batch": b, "median_s": m, "ci_low_s": m * 0.95,
                          "ci_high_s": m * 1.05, "reference": "numpy-fast", "speed": s,
                          "speed_ci_low": lo, "speed_ci_high": hi,
                          "significant": lo > 1 or hi < 1, "rank": 0}
                         for i, t, b, m, s, lo, hi in rows]).assign(
        rank=lambda d: d.groupby(["threads", "batch"])["median_s"].rank().astype(int))


def test_the_answer_says_who_is_faster_where_with_intervals():
    r = ranking([("numpy-fast", 1, 500, 0.15, 1.0, 1.0, 1.0),
                 ("keras-fit", 1, 500, 0.18, 0.83, 0.80, 0.86),
                 ("jax-jit", 1, 500, 0.12, 1.25, 1.2, 1.3),
                 ("numpy-fast", 1, 10000, 0.15, 1.0, 1.0, 1.0),
                 ("keras-fit", 1, 10000, 0.14, 1.07, 1.02, 1.12),
                 ("numpy-fast", 1, 20000, 0.15, 1.0, 1.0, 1.0),
                 ("keras-fit", 1, 20000, 0.13, 1.15, 1.1, 1.2)])
    said = answer.sentences(pd.DataFrame(), r)
    assert said[0] == ("The best hand-written NumPy (numpy-fast) is 1.20× [1.16, 1.25] faster "
                       "than Keras fit at batch 500 (float32, 1 thread).")
    assert said[1].startswith("Keras fit pulls ahead from batch 10,000 on (1.07× [1.02, 1.12]")
    assert said[2].startswith("The fastest at batch 500 is jax-jit, 0.120 s per epoch, 1.25×")
    assert said[3].startswith("The fastest at batch 20,000 is keras-fit")


def test_keras_never_ahead_and_a_tie_are_said_so():
    r = ranking([("numpy-fast", 2, 500, 0.15, 1.0, 1.0, 1.0),
                 ("keras-fit", 2, 500, 0.15, 1.0, 0.95, 1.05),
                 ("numpy-fast", 2, 10000, 0.15, 1.0, 1.0, 1.0),
                 ("keras-fit", 2, 10000, 0.16, 0.94, 0.9, 0.98)])
    said = answer.sentences(pd.DataFrame(), r)
    assert said[0].startswith("Keras fit and the best hand-written NumPy (numpy-fast) cannot be "
                              "told apart at batch 500 (float32, 2 threads)")
    assert said[1] == "Keras fit is not faster than numpy-fast at the largest batch size " \
                      "measured, 10,000."


def test_a_study_run_beside_other_work_is_compared_but_never_the_answer(tmp_path, monkeypatch):
    """A default study run beside other work on purpose (half its runs disturbed) stands in
    every claim's row, but the answer and the ranking come from the latest quiet one."""
    import json
    import shutil

    monkeypatch.chdir(tmp_path)
    calm = publish.write(archived.finished_study(archived.clone(tmp_path, "a")), "findings")
    busy = calm.with_name("2099-01-01-0000-default-busy000")
    shutil.copytree(calm, busy)
    machine = json.loads((busy / "machine.json").read_text())
    (busy / "machine.json").write_text(json.dumps({**machine, "date": "2099-01-01T00:00"}))
    runs = pd.read_csv(busy / "runs.csv.gz", low_memory=False)
    runs.assign(disturbed=runs.index % 2 == 0).to_csv(busy / "runs.csv.gz", index=False)
    text, _, figs = findings.render("findings")
    assert f"the answer from [{calm.name}]" in text
    assert f"from [{calm.name}]" in text.split("## The ranking")[1]
    assert busy.name in text.split("## The article's claims")[1]  # compared all the same
    assert any(calm.name in str(draw.__defaults__) for draw in figs.values()
               if draw.__defaults__)
