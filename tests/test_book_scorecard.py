"""The scorecard API: the claims registry, record() into a chapter's JSON, the verdict helpers, the table."""

from __future__ import annotations

import json

import pytest

from tgnas.book import scorecard
from tgnas.book.scorecard import CLAIMS, VERDICTS, all_results, record, same, scorecard_markdown, within
from tgnas.experiments.benchmarks import PAPER_GROUND_TRUTH


def test_every_claim_names_where_the_paper_makes_it_and_a_chapter_that_exists():
    from pathlib import Path

    notebooks = {path.stem for path in (Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.py")}
    assert len({claim.id for claim in CLAIMS}) == len(CLAIMS)
    assert all(claim.where.startswith("§") and claim.paper and claim.section for claim in CLAIMS)
    assert {claim.chapter for claim in CLAIMS} <= notebooks


def test_the_ground_truth_claim_states_the_papers_table_4_row():
    paper = scorecard.claim("nb201-ground-truth").paper
    assert paper == " / ".join(f"{PAPER_GROUND_TRUTH[key]:.2f}" for key in ("CIFAR-10 (%)", "CIFAR-100 (%)", "ImageNet16-120 (%)")) + " %"


@pytest.mark.parametrize(
    ("ours", "paper", "verdict"),
    [
        ([94.373, 73.22], [94.37, 73.22], "reproduced"),
        ([94.373, 70.0], [94.37, 73.22], "partly"),
        ([1.0, float("nan")], [94.37, 73.22], "not reproduced"),
    ],
)
def test_within_compares_every_value_with_the_tolerance(ours, paper, verdict):
    assert within(ours, paper, tolerance=0.005) == verdict


def test_same_and_bad_comparisons():
    assert same(("a", "short"), ("a", "short")) == "reproduced" and same("b", "a") == "not reproduced"
    with pytest.raises(ValueError, match="equally many values"):
        within([1.0], [1.0, 2.0], tolerance=0.1)


def test_record_writes_the_result_beside_its_chapter_and_keeps_other_claims(tmp_path):
    first = record("darts-cell-params", ours=4.72, verdict="not reproduced", why="another cell", chapters_dir=tmp_path)
    record("darts-imagenet-accuracy", ours="not measured", verdict="not reproduced", why="no ImageNet", chapters_dir=tmp_path)
    stored = json.loads((tmp_path / "07_darts_training.scorecard.json").read_text())
    assert first == {"ours": 4.72, "verdict": "not reproduced", "why": "another cell"} == stored["darts-cell-params"]
    assert set(all_results(tmp_path)) == {"darts-cell-params", "darts-imagenet-accuracy"}
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"claim_id": "nope"}, r"unknown scorecard claim 'nope'; known claims: nb201-ground-truth, "),
        ({"verdict": "maybe"}, r"verdict must be one of 'reproduced', 'partly', 'not reproduced', got 'maybe'"),
        ({"why": " "}, r"why must say in a sentence"),
        ({"ours": [1, 2]}, r"ours must be a number or a string"),
        ({"ours": True}, r"ours must be a number or a string"),
    ],
)
def test_bad_records_are_refused_in_one_line(tmp_path, arguments, message):
    call = {"claim_id": "darts-cell-params", "ours": 1.0, "verdict": "partly", "why": "because", "chapters_dir": tmp_path, **arguments}
    with pytest.raises(ValueError, match=message):
        record(**call)
    assert not list(tmp_path.iterdir())


def test_a_result_filed_under_the_wrong_chapter_is_ignored_and_bad_json_named(tmp_path):
    (tmp_path / "00_benchmarks.scorecard.json").write_text(json.dumps({"darts-cell-params": {"ours": 1, "verdict": "partly", "why": "x"}}))
    assert all_results(tmp_path) == {}
    (tmp_path / "07_darts_training.scorecard.json").write_text("{broken")
    with pytest.raises(ValueError, match=r"07_darts_training.scorecard.json is not valid JSON .* rerun its chapter"):
        all_results(tmp_path)


def test_the_table_has_a_row_per_claim_with_ours_the_verdict_and_a_link_where_the_chapter_exists():
    results = {"nb201-ground-truth": {"ours": "94.37 / 73.22 / 46.71 %", "verdict": "reproduced", "why": "same table"}}
    text = scorecard_markdown(results, chapters={"00_benchmarks"})
    [row] = [line for line in text.splitlines() if line.startswith("| The CIFAR-10-optimal")]
    assert (
        "| 94.37 / 73.22 / 46.71 % | **reproduced** | same table | {doc}`chapters/00_benchmarks`, section “Table 4, Ground Truth row” |"
        in row
    )
    assert len([line for line in text.splitlines() if line.startswith("| ") and "**" in line]) == len(CLAIMS)
    assert "**not yet tested** | its chapter records no result yet | `07_darts_training`, section" in text
    assert text.rstrip().endswith(f"Of {len(CLAIMS)} claims: 1 reproduced, 0 partly, 0 not reproduced, {len(CLAIMS) - 1} not yet tested.")
    assert VERDICTS == ("reproduced", "partly", "not reproduced")
