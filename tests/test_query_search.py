"""Query-based search (issue #7): the counted benchmark oracle, AG-Net-style and TG-warm search,
query baselines, Pareto fronts and hypervolume, and `tgnas search --queries`.

Most tests run on a fake NB201 table whose accuracies are a known additive function of the edge
operators, so optima are known exactly; tests marked ``real_data`` check golden values of the real one.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tgnas.cli import main
from tgnas.data.nb201 import COLUMNS, NB201Table
from tgnas.search import (
    AGNetSettings,
    BenchmarkOracle,
    QueryAgingSettings,
    QueryBudgetExhausted,
    SearchResult,
    TGWarmSettings,
    agnet_search,
    incumbent_curve,
    queried_curve,
    queries_to_reach,
    query_random_search,
    query_regularized_evolution,
    query_search,
    tg_warm_search,
)
from tgnas.search.agnet import AGNetSearch, SearchPrior, decode, encode, rank_weights
from tgnas.search.pareto import hypervolume, latency_sweep, pareto_front
from tgnas.spaces.nb201 import N_CELLS, NB201_OPS, NB201Cell, NB201Space

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: per-operator gain of the fake table; edge 3 (0→3) prefers skip_connect, so the optimum is not all-conv
GAIN = {"none": 0.0, "skip_connect": 1.0, "nor_conv_1x1": 2.0, "nor_conv_3x3": 3.0, "avg_pool_3x3": 0.5}
FAKE_TABLE_OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
#: small budgets keep the generator's rounds short in tests
FAST = dict(pretrain_cells=1024, pretrain_epochs=5, epochs=10)


def fake_value(cell: NB201Cell) -> float:
    value = 70.0 + sum(GAIN[op] for op in cell.ops)
    return value + (4.0 if cell.ops[3] == "skip_connect" else 0.0)


@pytest.fixture(scope="module")
def fake_table() -> NB201Table:
    """All 15,625 cells; val = the additive `fake_value`, test = val + 2 except one cell whose test is
    the highest although its val is not (so selecting on test would show)."""
    cells = list(NB201Space().all_cells())
    val = np.array([fake_value(cell) for cell in cells])
    test = val + 2.0
    test[0] = 200.0  # the all-none cell: worst validation, best test
    frame = pd.DataFrame({column: np.zeros(len(cells)) for column in COLUMNS})
    frame["nb201_index"] = np.arange(len(cells))
    frame["arch_str"] = [str(cell) for cell in cells]
    frame["naslib_op_indices"] = [str(cell.to_naslib_tuple()) for cell in cells]
    frame["val_acc_200ep_cifar10"] = val
    frame["test_acc_200ep_cifar10"] = test
    return NB201Table(frame)


class OnlyFeasible:
    """Feasible: cells without avg_pool_3x3 (a stand-in for a latency limit)."""

    def feasible(self, archs):
        return np.array(["avg_pool_3x3" not in str(arch) for arch in archs])


class FakeProxy:
    """Scores the fake table's additive rule, without the skip bonus: right in general, wrong on edge 0→3."""

    space = "nb201"

    def score_graphs(self, graphs):
        return np.array([sum(GAIN.get(op, 0.0) for op in graph.ops) for graph in graphs], dtype=np.float64)


# -- the oracle -------------------------------------------------------------------------------------
def test_oracle_counts_distinct_queries_and_answers_validation_accuracy(fake_table):
    oracle = BenchmarkOracle(3, table=fake_table)
    assert oracle.query(FAKE_TABLE_OPTIMUM) == fake_value(NB201Cell.parse(FAKE_TABLE_OPTIMUM)) == 90.0
    assert oracle.query(FAKE_TABLE_OPTIMUM) == 90.0 and oracle.queries == 1  # asking again is free
    oracle.query_many([str(c) for c in list(NB201Space().all_cells())[:5]])
    assert oracle.queries == 3 and oracle.remaining == 0
    with pytest.raises(QueryBudgetExhausted, match="budget of 3 queries is spent"):
        oracle.query("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|")
    assert oracle.query(FAKE_TABLE_OPTIMUM) == 90.0  # a known answer needs no budget


def test_oracle_refuses_infeasible_cells_and_bad_budgets(fake_table):
    oracle = BenchmarkOracle(5, table=fake_table, constraints=OnlyFeasible())
    with pytest.raises(ValueError, match="breaks the search constraints"):
        oracle.query("|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    assert oracle.queries == 0
    for budget in (0, -1, 2.5, True, N_CELLS + 1):
        with pytest.raises(ValueError, match="query budget"):
            BenchmarkOracle(budget, table=fake_table)
    with pytest.raises(ValueError, match="unknown NB201 dataset"):
        BenchmarkOracle(5, dataset="mnist", table=fake_table)


def test_incumbent_is_chosen_on_validation_and_reported_on_test(fake_table):
    oracle = BenchmarkOracle(3, table=fake_table)
    worst = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"  # val 70, test 200
    oracle.query_many([worst, FAKE_TABLE_OPTIMUM, "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"])
    result = oracle.result("random", seed=0)
    assert (result.arch, result.score, result.queries) == (FAKE_TABLE_OPTIMUM, 90.0, 3)
    np.testing.assert_allclose(incumbent_curve(result, fake_table), [200.0, 92.0, 92.0])
    np.testing.assert_allclose(queried_curve(result, fake_table), [200.0, 200.0, 200.0])
    assert queries_to_reach(incumbent_curve(result, fake_table), 95.0) == 1
    assert queries_to_reach(np.array([1.0, 2.0, 3.0]), 2.5) == 3
    assert queries_to_reach(np.array([1.0, 2.0]), 5.0) is None
    zero_cost = SearchResult("nb201", "hybrid", FAKE_TABLE_OPTIMUM, 1.0, 0.1, 10, 0, "pruning")
    with pytest.raises(ValueError, match="spent no benchmark query"):
        incumbent_curve(zero_cost, fake_table)


# -- generator pieces -------------------------------------------------------------------------------
def test_rank_weights_follow_tripp_et_al():
    np.testing.assert_allclose(rank_weights(np.array([3.0, 1.0, 2.0]), 0.01), [1 / 0.03, 1 / 2.03, 1 / 1.03])
    assert rank_weights(np.array([5.0, 5.0]), 0.5)[0] > rank_weights(np.array([5.0, 5.0]), 0.5)[1]  # ties: earlier first


def test_encoding_round_trips_every_cell():
    cells = list(NB201Space().all_cells())
    onehot = encode(cells)
    assert onehot.shape == (N_CELLS, 30) and np.all(onehot.sum(axis=1) == 6)
    assert decode(onehot) == cells


def test_pretrained_generator_covers_the_space_and_only_makes_valid_cells(fake_table):
    run = AGNetSearch(BenchmarkOracle(10, table=fake_table), seed=0, settings=AGNetSettings(**FAST))
    run.pretrain()
    cells = run.generate(100)
    assert len(cells) == 100 and len(set(map(str, cells))) == 100
    counts = pd.Series([op for cell in cells for op in cell.ops]).value_counts()
    assert set(counts.index) == set(NB201_OPS) and counts.min() >= 60  # 600 slots, ~120 per operator


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(latent_dim=0), "latent_dim must be an integer >= 1"),
        (dict(batch=2.5), "batch must be an integer"),
        (dict(alpha=1.0), "alpha .* must be < 1"),
        (dict(weight_factor=-0.1), "weight_factor must be a positive number"),
    ],
)
def test_agnet_settings_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AGNetSettings(**kwargs)


# -- searches on the fake table ---------------------------------------------------------------------
def test_agnet_spends_exactly_its_budget_on_distinct_cells_and_is_deterministic(fake_table):
    results = [agnet_search(BenchmarkOracle(40, table=fake_table), seed=3, settings=AGNetSettings(**FAST)) for _ in range(2)]
    first, again = results
    archs = [entry["arch"] for entry in first.trajectory]
    assert first.queries == 40 and len(archs) == 40 and len(set(archs)) == 40
    assert archs == [entry["arch"] for entry in again.trajectory]
    assert first.method == "agnet" and first.score == max(entry["value"] for entry in first.trajectory)


def test_agnet_learns_where_to_look(fake_table):
    """Its later queries are far better than its first, random-like ones, and it finds the optimum."""
    result = agnet_search(BenchmarkOracle(160, table=fake_table), seed=0, settings=AGNetSettings(**FAST))
    values = np.array([entry["value"] for entry in result.trajectory])
    assert values[-48:].mean() > values[:16].mean() + 5
    assert result.arch == FAKE_TABLE_OPTIMUM


def test_tg_warm_starts_at_the_proxy_pick_and_lets_queries_correct_it(fake_table):
    result = tg_warm_search(BenchmarkOracle(120, table=fake_table), FakeProxy(), seed=0, settings=TGWarmSettings(**FAST))
    first = NB201Cell.parse(result.trajectory[0]["arch"])
    assert first.ops == ("nor_conv_3x3",) * 6  # the proxy's optimum, which the skip bonus makes second best
    assert result.evaluations == N_CELLS and result.queries == 120
    assert result.arch == FAKE_TABLE_OPTIMUM  # the proxy never favours skip on 0→3: only queries can find it


def test_query_searches_never_query_infeasible_cells(fake_table):
    for run in (
        lambda o: agnet_search(o, seed=1, settings=AGNetSettings(**FAST)),
        lambda o: tg_warm_search(o, FakeProxy(), seed=1, settings=TGWarmSettings(**FAST)),
        lambda o: query_random_search(o, seed=1),
        lambda o: query_regularized_evolution(o, seed=1),
    ):
        result = run(BenchmarkOracle(40, table=fake_table, constraints=OnlyFeasible()))
        assert result.queries == 40
        assert all("avg_pool_3x3" not in entry["arch"] for entry in result.trajectory)


def test_query_baselines_spend_their_budget(fake_table):
    random_result = query_random_search(BenchmarkOracle(50, table=fake_table), seed=0)
    evolution = query_regularized_evolution(
        BenchmarkOracle(120, table=fake_table), seed=0, settings=QueryAgingSettings(population=10, sample_size=3)
    )
    assert random_result.queries == 50 and len({e["arch"] for e in random_result.trajectory}) == 50
    assert evolution.queries == 120 and evolution.score > random_result.score
    with pytest.raises(ValueError, match="sample_size \\(6\\) must not exceed population \\(5\\)"):
        QueryAgingSettings(population=5, sample_size=6)


def test_search_prior_ranks_and_draws_by_score():
    cells = list(NB201Space().all_cells())[:50]
    scores = np.arange(50, dtype=np.float64)
    scores[0] = -np.inf  # a cell without a path
    prior = SearchPrior(cells, scores, weight_factor=0.01)
    oracle_cells = prior.draw(np.random.default_rng(0), 2_000)
    counts = pd.Series(map(str, oracle_cells)).value_counts()
    assert counts.index[0] == str(cells[49]) and str(cells[0]) not in counts.index[:10]
    assert prior.scores[0] == prior.scores[1:].min()
    with pytest.raises(ValueError, match="one score per cell"):
        SearchPrior(cells, scores[:10])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(space="darts", method="agnet"), "needs a benchmark table to query: nb201, not 'darts'"),
        (dict(space="nb201", method="hybrid"), "unknown query search method 'hybrid'; accepted: agnet, tg-warm, random, re"),
        (dict(space="nb201", method="tg-warm"), "tg-warm needs the TG proxy"),
        (dict(space="nb201", method="agnet", settings=QueryAgingSettings()), "takes AGNetSettings, not QueryAgingSettings"),
        (dict(space="nb201", method="random", settings=AGNetSettings()), "takes no settings"),
    ],
)
def test_query_search_rejects_bad_requests_before_loading_anything(kwargs, message):
    with pytest.raises(ValueError, match=message):
        query_search(**kwargs)


# -- Pareto fronts ----------------------------------------------------------------------------------
def test_pareto_front_and_hypervolume_golden_values():
    latency, accuracy = [1.0, 2.0, 3.0, 4.0, np.nan, 2.0], [90.0, 92.0, 91.0, 95.0, 99.0, 92.0]
    assert pareto_front(latency, accuracy).tolist() == [0, 1, 3]
    # (5-1)(90-80) + (5-2)(92-90) + (5-4)(95-92)
    assert hypervolume(latency, accuracy, reference=(5.0, 80.0)) == pytest.approx(49.0)
    assert hypervolume(latency, accuracy, reference=(1.5, 91.0)) == 0.0
    assert hypervolume([6.0], [99.0], reference=(5.0, 80.0)) == 0.0  # beyond the reference cost
    with pytest.raises(ValueError, match="one length"):
        pareto_front([1.0, 2.0], [3.0])


# -- real data --------------------------------------------------------------------------------------
VALIDATION_OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"


@pytest.mark.real_data
def test_real_oracle_golden_values():
    oracle = BenchmarkOracle(1)
    assert oracle.query(VALIDATION_OPTIMUM) == pytest.approx(91.57)
    assert oracle.table.index_of(VALIDATION_OPTIMUM) == 1459
    curve = incumbent_curve(oracle.result("random", 0))
    assert curve[0] == pytest.approx(94.296667)  # a search that finds it ends just below 94.3


def _run_json(argv, capsys) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.real_data
def test_cli_query_search_reports_the_queries_it_spent(capsys):
    report = _run_json(
        ["search", "--space", "nb201", "--method", "re", "--queries", "30", "--seed", "0", "--json", "--no-progress"], capsys
    )
    assert report["queries"] == 30 and report["method"] == "re" and report["evaluations"] == 0
    table = BenchmarkOracle(1).table
    assert report["score"] == pytest.approx(float(table.accuracy([report["arch"]], "cifar10", "val")[0]))
    assert report["test_acc"]["cifar10"] == pytest.approx(float(table.accuracy([report["arch"]])[0]))
    assert report["score_is"] == "queried val_acc_200ep_cifar10 (%)"
    zero_cost = _run_json(["search", "--space", "nb201", "--method", "pruning", "--json", "--no-progress"], capsys)
    assert zero_cost["queries"] == 0


@pytest.mark.real_data
def test_latency_sweeps_stay_within_their_limits():
    from tgnas.tg.proxy import TGProxy

    tg = latency_sweep("tg", "edgegpu", [3.0, 5.0], seeds=[0], proxy=TGProxy.load("nb201"))
    agnet = latency_sweep("agnet", "edgegpu", [3.0], seeds=[0], queries=20)
    assert (tg["latency_ms"] <= tg["limit_ms"]).all() and (tg["queries"] == 0).all()
    assert (agnet["latency_ms"] <= 3.0).all() and agnet["queries"].tolist() == [20]
    with pytest.raises(ValueError, match="needs the TG proxy"):
        latency_sweep("tg", "edgegpu", [3.0], seeds=[0])


@pytest.mark.real_data
def test_query_curves_resume_from_stored_runs(tmp_path):
    from tgnas.search.compare import queries_needed, query_curves

    first = query_curves(["random", "re"], [0, 1], 25, results_dir=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "random_seed0_q25_cifar10.json"
    stored = (tmp_path / "re_seed1_q25_cifar10.json").read_text()
    again = query_curves(["random", "re"], [0, 1], 25, results_dir=tmp_path, progress=False)
    pd.testing.assert_frame_equal(first, again)  # read back, not rerun: same numbers, seconds included
    assert (tmp_path / "re_seed1_q25_cifar10.json").read_text() == stored
    assert len(first) == 4 * 25 and (first.groupby(["method", "seed"])["incumbent_val"].is_monotonic_increasing).all()
    needed = queries_needed(first, "incumbent_val", 0.0)
    assert needed.tolist() == [1, 1, 1, 1]
    assert queries_needed(first, "incumbent_val", 101.0).isna().all()


@pytest.mark.real_data
def test_stored_tg_warm_runs_are_kept_apart_per_proxy(tmp_path):
    from tgnas.search.compare import query_curves
    from tgnas.tg.proxy import TGProxy

    current, v1 = TGProxy.load("nb201"), TGProxy.load("nb201", release="v1")
    query_curves(["tg-warm"], [0], 5, proxy=current, results_dir=tmp_path, progress=False)
    query_curves(["tg-warm"], [0], 5, proxy=v1, results_dir=tmp_path, progress=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"tg-warm_{proxy.card['sha256'][:12]}_seed0_q5_cifar10.json" for proxy in (current, v1))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--method", "hybrid", "--queries", "5"], "--queries applies to the query searches agnet, tg-warm, random, re"),
        (["--method", "agnet", "--space", "darts"], "needs --space nb201, not darts"),
        (["--method", "agnet", "--queries", "0"], "query budget must be an integer >= 1, got 0"),
        (["--method", "agnet", "--population", "5"], "--population/--generations set the evolution"),
        (["--dataset", "cifar100"], "--dataset chooses what a query search queries"),
    ],
)
def test_cli_query_errors_are_one_clear_line(argv, message, capsys):
    assert main(["search", "--no-progress", *argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("tgnas: error: ") and error.count("\n") == 1
    assert re.search(re.escape(message), error)
