"""Chapter parameters: profile values for None, every other value checked as given, one-line refusals.

The resolver is tested on a small spec and on the chapters' own PARAMETERS; one real chapter
(00_benchmarks, copied into a scratch book) is run through the CLI with a bad value to see the
notebook's refusal reach the terminal as one line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tgnas.book.parameters import (
    EXISTING_FILE,
    FRACTIONS,
    NON_NEGATIVE_INT,
    NUMBERS_PER_NAME,
    POSITIVE_INT,
    SEEDS,
    TEXT,
    ChapterParameters,
    Parameter,
    ParameterError,
    optional,
)
from tgnas.book.runner import run_notebooks
from tgnas.experiments import darts_search, darts_training, predictor, query_search

REPO = Path(__file__).resolve().parents[1]

SPEC = ChapterParameters(
    Parameter("n_seeds", POSITIVE_INT, ci=5, paper=20),
    Parameter("seed", NON_NEGATIVE_INT, ci=0, paper=3),
    Parameter("fractions", FRACTIONS, ci=[0.5], paper=[0.9, 0.1]),
    Parameter("images", optional(POSITIVE_INT, "all images"), ci=100, paper=None),
)


def _resolve(profile="ci", **given):
    return SPEC.resolve(profile, **{"n_seeds": None, "seed": None, "fractions": None, "images": None, **given})


def test_none_takes_the_profile_value():
    assert _resolve("ci") == (5, 0, [0.5], 100)
    assert _resolve("paper") == (20, 3, [0.9, 0.1], None)


def test_given_values_are_kept_in_the_order_given():
    assert SPEC.resolve("paper", images=7, fractions=[0.25], seed=1, n_seeds=2) == (7, [0.25], 1, 2)


def test_zero_is_kept_where_zero_is_valid():
    assert _resolve("paper", seed=0)[1] == 0


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"n_seeds": 0}, "n_seeds must be a positive integer, got 0"),
        ({"n_seeds": -2}, "n_seeds must be a positive integer, got -2"),
        ({"n_seeds": "abc"}, "n_seeds must be a positive integer, got 'abc'"),
        ({"n_seeds": 2.0}, "n_seeds must be a positive integer, got 2.0"),
        ({"n_seeds": True}, "n_seeds must be a positive integer, got True"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
        ({"fractions": [0.5, 1.0]}, r"fractions must be a non-empty list of numbers in \(0, 1\), got \[0.5, 1.0\]"),
        ({"fractions": []}, r"fractions must be a non-empty list of numbers in \(0, 1\), got \[\]"),
        ({"fractions": 0.5}, r"fractions must be a non-empty list of numbers in \(0, 1\), got 0.5"),
        ({"fractions": ["0.5"]}, r"fractions must be .*, got \['0.5'\]"),
        ({"images": 0}, r"images must be a positive integer or None \(all images\), got 0"),
    ],
)
def test_a_value_the_parameter_does_not_accept_is_refused_naming_it(given, message):
    with pytest.raises(ParameterError, match=f"^{message}$"):
        _resolve("ci", **given)


def test_a_long_bad_value_is_cut_in_the_message():
    with pytest.raises(ParameterError) as caught:
        _resolve(n_seeds="x" * 10_000)
    assert len(str(caught.value)) < 300 and str(caught.value).endswith("…")


@pytest.mark.parametrize("profile", ["full", "", None, "CI"])
def test_an_unknown_profile_is_refused(profile):
    with pytest.raises(ParameterError, match=f"^profile must be 'ci' or 'paper', got {profile!r}$"):
        _resolve(profile)


def test_an_unknown_name_is_refused_with_the_accepted_names():
    with pytest.raises(ParameterError, match=r"^unknown parameter 'n_seed'; accepted: n_seeds, seed, fractions, images$"):
        _resolve(n_seed=3)


def test_a_setup_cell_that_forgets_a_parameter_is_a_programming_error():
    with pytest.raises(TypeError, match="missing: images"):
        SPEC.resolve("ci", n_seeds=None, seed=None, fractions=None)


@pytest.mark.parametrize(
    "parameters",
    [
        (Parameter("a", POSITIVE_INT, 1, 1), Parameter("a", POSITIVE_INT, 2, 2)),
        (Parameter("profile", TEXT, "ci", "ci"),),
    ],
)
def test_a_spec_needs_distinct_names_other_than_profile(parameters):
    with pytest.raises(ValueError, match="distinct names other than 'profile'"):
        ChapterParameters(*parameters)


def test_a_spec_whose_own_value_is_refused_cannot_be_declared():
    with pytest.raises(ValueError, match="the paper value of n_seeds must be a positive integer, got 0"):
        Parameter("n_seeds", POSITIVE_INT, ci=5, paper=0)


@pytest.mark.parametrize(
    ("spec", "name", "value"),
    [
        (predictor.PARAMETERS, "seeds", [0, 0]),
        (predictor.PARAMETERS, "nb101_file", ""),
        (predictor.PARAMETERS, "nb101_file", "no/such/nasbench_only108.tfrecord"),
        (darts_search.PARAMETERS, "latency_limits", [3.0, -1.0]),
        (darts_training.PARAMETERS, "threads", 0),
        (darts_training.PARAMETERS, "genotype", 3),
        (query_search.PARAMETERS, "latency_limits", {"edgegpu": []}),
        (query_search.PARAMETERS, "latency_limits", [3.0, 4.0]),
    ],
)
def test_chapter_specs_refuse_bad_values_naming_the_parameter(spec, name, value):
    with pytest.raises(ParameterError, match=f"^{name} must be "):
        spec.resolve("ci", **{**dict.fromkeys(spec.names), name: value})


def test_the_kinds_accept_what_they_describe():
    assert SEEDS.test([0, 1, 2]) and FRACTIONS.test([0.5, 0.01]) and TEXT.test("DARTS_V2")
    assert NUMBERS_PER_NAME.test({"edgegpu": [3.0, 4], "raspi4": [10.0]})
    assert EXISTING_FILE.test(__file__) and not EXISTING_FILE.test(str(REPO))


@pytest.fixture
def chapter_00_book(tmp_path) -> Path:
    """A scratch book holding the repository's chapter 00 (so the run cannot touch the real book/chapters)."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/chapters/00_benchmarks\n")
    shutil.copy(REPO / "notebooks" / "00_benchmarks.py", tmp_path / "notebooks" / "00_benchmarks.py")
    return tmp_path


def test_an_unknown_name_for_a_chapter_is_refused_before_it_runs(chapter_00_book):
    with pytest.raises(
        ValueError, match=r"notebook 00_benchmarks has no parameter 'n_seeds'; its parameters are: profile, n_scatter, n_darts, seed"
    ):
        run_notebooks(only="00_benchmarks", parameters={"n_seeds": 3}, root=chapter_00_book)
    assert not (chapter_00_book / "book" / "chapters" / "00_benchmarks.ipynb").exists()


def test_a_bad_value_stops_the_chapter_run_with_one_line_naming_the_parameter(chapter_00_book):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "tgnas", "book", "run", "--only", "00_benchmarks", "-p", "n_scatter", "0"]
    result = subprocess.run(command, cwd=chapter_00_book, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("tgnas: ")]
    assert errors == ["tgnas: error: notebook 00_benchmarks: n_scatter must be a positive integer, got 0"], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
