"""`tgnas search` and the search with the shipped TG proxy (no benchmark data needed unless marked)."""

from __future__ import annotations

import json
import re

import pytest

from tgnas import choices
from tgnas import search as search_package
from tgnas.cli import main
from tgnas.data.lookup import lookup, register_lookup
from tgnas.search import EvolutionSettings, search
from tgnas.tg.proxy import TGProxy

#: all six edges nor_conv_3x3: where the shipped NB201 proxy's pruning ends (a golden value of the weights)
ALL_CONV3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"


@pytest.fixture(scope="module")
def nb201_proxy() -> TGProxy:
    return TGProxy.load("nb201")


def test_hybrid_with_the_shipped_proxy_is_deterministic_and_at_least_as_good_as_its_parts(nb201_proxy):
    first = search("nb201", nb201_proxy, seed=0)
    again = search("nb201", nb201_proxy, seed=0)
    assert (first.arch, first.score, first.winner) == (again.arch, again.score, again.winner)
    assert first.score >= max(part.score for part in first.parts.values())
    assert first.parts["pruning"].arch == ALL_CONV3
    assert first.score == pytest.approx(float(nb201_proxy.score([first.arch])[0]), abs=1e-5)


def _run_json(argv, capsys) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_search_json_has_the_documented_keys(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))  # no benchmark files: no lookups, no error
    report = _run_json(
        ["search", "--space", "nb201", "--seed", "0", "--json", "--no-progress", "--population", "6", "--generations", "2"], capsys
    )
    assert {"arch", "score", "search_seconds", "winner", "evaluations"} <= set(report)
    assert "test_acc" not in report
    assert report["arch"] == ALL_CONV3 and report["winner"] in ("pruning", "both")


@pytest.mark.real_data
def test_cli_search_reports_benchmark_numbers_when_data_are_present(capsys):
    report = _run_json(["search", "--space", "nb201", "--method", "pruning", "--json", "--no-progress"], capsys)
    assert report["test_acc"] == pytest.approx({"cifar10": 93.76, "cifar100": 71.106667, "ImageNet16-120": 41.444444})
    assert report["params_M"] == pytest.approx(1.531546) and report["flops_M"] == pytest.approx(222.860992)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--method", "bayes"], "unknown search method 'bayes'; accepted: hybrid, pruning"),
        (
            ["--method", "PRUNING", "--queries", "3"],
            "--queries applies to the query searches agnet, tg-warm, random, re, not --method pruning",
        ),
        (["--max-latency", "edgegpu:5"], "must be DEVICE=MS"),
        (["--max-params", "-1"], "max_params \\(M\\) must be a positive finite number"),
        (["--population", "2"], "population must be an integer >= 4"),
        (["--method", "random", "--generations", "3"], "--population/--generations set the evolution"),
        (["--space", "darts", "--max-flops", "100"], "constraints are supported for nb201 only"),
    ],
)
def test_cli_search_errors_are_one_clear_line(argv, message, capsys):
    assert main(["search", "--no-progress", *argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("tgnas: error: ") and error.count("\n") == 1
    assert re.search(message, error)


def test_darts_search_prints_a_genotype(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    report = _run_json(
        ["search", "--space", "darts", "--method", "evolution", "--population", "6", "--generations", "2", "--json", "--no-progress"],
        capsys,
    )
    assert report["arch"].startswith("Genotype(normal=[") and "nb301_val_acc" not in report
    assert search("darts", TGProxy.load("darts"), method="evolution", settings=EvolutionSettings(6, 2)).arch == report["arch"]


def test_the_method_names_of_the_command_line_are_the_search_registries():
    assert tuple(search_package.METHODS) == choices.SEARCH_METHODS
    assert set(choices.QUERY_METHODS) == set(search_package.QUERY_METHODS)


@pytest.mark.real_data
def test_benchmark_lookup_gives_the_nb201_numbers_of_a_cell():
    numbers = lookup("nb201", ALL_CONV3)
    assert numbers["test_acc"] == pytest.approx({"cifar10": 93.76, "cifar100": 71.106667, "ImageNet16-120": 41.444444})
    assert numbers["params_M"] == pytest.approx(1.531546) and numbers["flops_M"] == pytest.approx(222.860992)


@pytest.mark.real_data
def test_benchmark_lookup_gives_the_nb301_accuracy_of_a_darts_genotype():
    assert lookup("darts", "DARTS_V2") == {"nb301_val_acc": pytest.approx(92.9101, abs=1e-3)}  # percent


def test_benchmark_lookup_is_empty_without_data_or_without_a_benchmark(monkeypatch, tmp_path):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    assert lookup("nb201", ALL_CONV3) == {}
    assert lookup("nb101", "anything") == {}


def test_a_space_has_one_benchmark_lookup():
    with pytest.raises(ValueError, match="space 'nb201' already has a benchmark lookup"):
        register_lookup("nb201")(lambda arch: {})


@pytest.mark.real_data
def test_a_constrained_search_reports_the_found_cells_cost_of_each_limit(capsys):
    from tgnas.search.constraints import Constraints, feasibility_for

    report = _run_json(
        [
            "search",
            "--json",
            "--no-progress",
            "--population",
            "6",
            "--generations",
            "2",
            "--max-latency",
            "edgegpu=5",
            "--max-latency",
            "pixel3=12",
            "--max-params",
            "1",
        ],
        capsys,
    )
    assert report["constraints"] == {"params_M": 1.0, "edgegpu_latency": 5.0, "pixel3_latency": 12.0}
    table = feasibility_for("nb201", Constraints(max_params=1, max_latency={"edgegpu": 5, "pixel3": 12}))
    assert report["costs"] == {column: table.cost(report["arch"])[column] for column in report["constraints"]}
    assert all(report["costs"][column] <= limit for column, limit in report["constraints"].items())


@pytest.mark.real_data
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--max-latency", "edgegpu=0.1"], r"no NB201 cell meets all constraints: edgegpu_latency <= 0.1 \(smallest in NB201: 0.5"),
        (["--space", "darts", "--max-params", "3"], "constraints are supported for nb201 only"),
        (["--method", "agnet", "--space", "darts"], "needs --space nb201, not darts"),
    ],
)
def test_impossible_constraints_are_refused_before_the_proxy_loads(argv, message, capsys, monkeypatch):
    def load(*args, **kwargs):
        raise AssertionError("the proxy was loaded before the constraints were checked")

    monkeypatch.setattr(TGProxy, "load", load)
    assert main(["search", "--no-progress", *argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("tgnas: error: ") and error.count("\n") == 1 and re.search(message, error), error
