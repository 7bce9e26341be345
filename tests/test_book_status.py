"""The generated status and data pages: run table, environment, data checksums, data uses."""

from __future__ import annotations

import re

import pytest

from tgnas.book import data_page, environment, status
from tgnas.book.status import ChapterRun, data_markdown, environment_markdown, format_duration, paper_runs_markdown, runs_markdown
from tgnas.data.fetch import CheckResult
from tgnas.data.manifest import GROUPS, MANIFEST

ENV_A = {
    "python": "3.11.9",
    "platform": "Linux",
    "cpu": "x86, 2 logical cores",
    "gpu": "none (CPU only)",
    "commit": "abc",
    "packages": {"tgnas": "0.1.0"},
}
ENV_B = {**ENV_A, "commit": "def"}


def _run(
    name: str, duration: float | None, environment_: dict | None = ENV_A, started: str = "2024-03-01T10:00:00", **kwargs
) -> ChapterRun:
    fields = {"title": f"Title {name}", "profile": "ci", "status": "ok", "stderr_outputs": 0, **kwargs}
    return ChapterRun(name=name, duration_s=duration, started_at=started, environment=environment_, **fields)


@pytest.mark.parametrize(("seconds", "text"), [(None, "-"), (6.14, "6.1 s"), (128.1, "2 min 08 s"), (3790, "1 h 03 min")])
def test_durations_read_as_a_person_would_say_them(seconds, text):
    assert format_duration(seconds) == text


def test_run_table_links_titles_and_totals_the_known_times():
    text = runs_markdown(
        [_run("00_a", 6.0), _run("01_b", 120.0, stderr_outputs=2, profile="paper"), _run("02_c", None, status="not run", profile="-")]
    )
    assert "| {doc}`Title 00_a <chapters/00_a>` | `ci` | 6.0 s | 2024-03-01 10:00:00 | ok | none |" in text
    assert "| {doc}`Title 01_b <chapters/01_b>` | `paper` | 2 min 00 s |" in text and "| ok | 2 |" in text
    assert "**Total:** 2 min 06 s for 2 of 3 chapters (profile `ci`, `paper`)." in text


def test_environment_is_the_latest_runs_and_names_chapters_that_ran_elsewhere():
    runs = [_run("00_a", 1.0, ENV_A, "2024-03-01T10:00:00"), _run("01_b", 1.0, ENV_B, "2024-03-02T10:00:00"), _run("02_c", 1.0, None)]
    text = environment_markdown(runs)
    assert "latest chapter run ({doc}`chapters/01_b`)" in text and "| git commit | `def` |" in text and "| `tgnas` | 0.1.0 |" in text
    assert "different environment (another commit, machine or package set): {doc}`chapters/00_a`." in text
    assert "No environment recorded for: 02_c." in text
    assert "run `tgnas book run`" in environment_markdown([_run("00_a", 1.0, None)])


def test_data_rows_give_every_manifest_files_checksum_and_state():
    results = [
        CheckResult(MANIFEST[0].relative, "ok", "sha256 matches", True),
        CheckResult("nb101/nasbench_only108.tfrecord", "missing", "", False),
    ]
    text = data_markdown(results)
    assert f"| `{MANIFEST[0].relative}` | sha256 `{MANIFEST[0].checksum.hexdigest}` | ok |" in text
    assert "| `nb101/nasbench_only108.tfrecord` | content check (no pinned checksum) | missing (optional) |" in text
    assert len(re.findall(r"^\| `", text, re.MULTILINE)) == len(MANIFEST)


def test_unknown_status_section_is_refused_naming_the_sections(tmp_path):
    with pytest.raises(ValueError, match=r"unknown status section 'nope'; accepted: runs, paper, environment, data"):
        status.section_markdown("nope", tmp_path)


def test_every_manifest_group_says_what_the_book_uses_it_for():
    assert list(data_page.USES) == list(GROUPS)


def test_data_page_lists_each_file_with_origin_licence_and_size(tmp_path):
    present = MANIFEST[0]
    (tmp_path / present.relative).parent.mkdir(parents=True)
    (tmp_path / present.relative).write_bytes(b"x" * 2048)
    text = data_page.data_page_markdown(tmp_path)
    assert f"| `{present.relative}` | <{present.url}> | {present.licence} | 2.0 kB | yes |" in text
    assert text.count("not in the data directory") == len(MANIFEST) - 1
    derived = next(entry for entry in MANIFEST if entry.derived_from)
    mirror_only = next(entry for entry in MANIFEST if entry.mirror_only)
    assert (
        data_page.origin(derived).startswith("derived here from `") and data_page.origin(mirror_only) == f"mirror only: {mirror_only.note}"
    )


def test_snapshot_names_versions_hardware_and_commit(tmp_path):
    shot = environment.snapshot(tmp_path)
    assert set(shot) == {"python", "platform", "packages", "cpu", "gpu", "commit"}
    assert list(shot["packages"]) == list(environment.KEY_PACKAGES) and shot["packages"]["seaborn"] == "0.13.2"
    assert shot["commit"] == "unknown (not a git checkout)" and "logical cores" in shot["cpu"]


def test_paper_run_table_gives_time_commit_and_result_and_says_what_unrun_chapters_need():
    commit = "0123456789abcdef" * 2 + "01234567"
    runs = [
        _run("00_benchmarks", 7.4, {**ENV_A, "commit": commit}, weights_loaded={"nb201.pt": "a" * 64, "v1/nb201.pt": "b" * 64}),
        _run("07_darts_training", None, None, started=None, status="not run", profile="-"),
        _run("09_universal_proxy", 3790.0, {**ENV_A, "commit": f"{commit} + local changes"}, status="failed"),
    ]
    text = paper_runs_markdown(runs)
    row = "| {doc}`Title 00_benchmarks <chapters/00_benchmarks>` | 7.4 s | 2024-03-01 10:00:00 | `0123456789ab` | `nb201.pt`, `v1/nb201.pt` | ok |"
    assert row in text
    needs = status.paper_requirement("07_darts_training")
    assert needs and "GPU" in needs and f"| - | - | - | - | not run: needs {needs} |" in text
    assert "| `0123456789ab` + local changes | not recorded | failed |" in text  # a run from before loads were noted
    assert "**Total:** 7.4 s for the 1 of 3 chapters run at paper scale." in text  # a failed run is not counted
    assert status.paper_requirement("00_benchmarks") is None and status.paper_requirement("00_demo") is None


def test_a_paper_run_of_a_since_changed_chapter_says_the_book_shows_the_ci_run():
    runs = [
        _run("00_benchmarks", 7.4, ENV_A, weights_loaded={}),
        _run("02_gcn_predictor", 60.0, ENV_A),
        _run("05_nb201_results", 60.0, ENV_A),
    ]
    problems = {"00_benchmarks": None, "02_gcn_predictor": "the chapter changed", "05_nb201_results": "the shipped proxy weights changed"}
    lines = paper_runs_markdown(runs, problems).splitlines()
    assert lines[2].endswith("| none | ok |")  # it loaded no shipped proxy
    assert lines[3].endswith("| ok, but the chapter changed since: the paper book shows its ci run |")
    assert lines[4].endswith("| ok, but the shipped proxy weights changed since: the paper book shows its ci run |")
    assert "**Total:** 2 min 07 s for the 3 of 3 chapters" in lines[-1]  # all ran at paper scale; the time is still theirs


def test_short_commit_cuts_hashes_only():
    assert status.short_commit("a" * 40) == "`aaaaaaaaaaaa`"
    assert status.short_commit("unknown (not a git checkout)") == "unknown (not a git checkout)"


def test_a_chapter_title_is_read_from_its_executed_notebook_or_its_jupytext_source(tmp_path):
    source = tmp_path / "01_x.py"
    source.write_text("# %% [markdown]\n# # The title\n#\n# Text.\n\n# %%\nprint(1)\n")
    assert status.notebook_title(source) == "The title"
    source.write_text("# %%\nprint(1)\n")
    assert status.notebook_title(source) == "01_x"
