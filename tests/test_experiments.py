"""The experiment functions behind the book's tables and figures, on small inputs (tgnas.experiments)."""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tgnas.experiments import darts_training  # noqa: E402
from tgnas.experiments._correlations import correlation, correlations  # noqa: E402
from tgnas.experiments.benchmarks import darts_space_size  # noqa: E402
from tgnas.experiments.darts_search import SurrogateComparison  # noqa: E402
from tgnas.experiments.independence import PROXIES, ProxyHeatmaps, fig10_proxy_independence  # noqa: E402
from tgnas.experiments.predictor import GridPoint, Target, fig2_training_fraction, plot_fig2, train_score_grid  # noqa: E402
from tgnas.experiments.query_search import median_queries_text, report_weakest_cells, table_queries_needed  # noqa: E402
from tgnas.scoring import NO_PATH_SCORE  # noqa: E402
from tgnas.spaces import create  # noqa: E402
from tgnas.spaces.darts import INTERMEDIATE_NODES, SAMPLED_OPS  # noqa: E402
from tgnas.tg import LabelledGraphs  # noqa: E402
from tgnas.tg.embed import OperatorEmbedder  # noqa: E402
from tgnas.tg.predictor import GCNConfig, GCNPredictor  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_darts_space_size_counts_input_pairs_and_ops_of_both_cells():
    pairs_per_cell = math.prod(len(list(itertools.combinations(range(node), 2))) for node in INTERMEDIATE_NODES)
    assert pairs_per_cell == 1 * 3 * 6 * 10
    assert darts_space_size() == (pairs_per_cell * len(SAMPLED_OPS) ** 8) ** 2
    assert f"{float(darts_space_size()):.2e}" == "1.08e+18"  # NAS-Bench-301's "10^18 architectures"


def test_no_path_cells_rank_last_on_all_cells_and_drop_out_with_path():
    labels = np.array([1.0, 2.0, 3.0, 4.0, 0.5, 0.4])
    scores = np.array([1.0, 2.0, 3.0, 4.0, 9.0, 8.0])  # a scorer that likes the two dead cells
    has_path = np.array([True, True, True, True, False, False])
    raw = correlation(scores, labels)
    on_all = correlation(scores, labels, has_path)
    with_path = correlation(scores, labels, has_path, "with_path")
    assert raw["kendall_tau"] < 0.2
    assert on_all["kendall_tau"] == pytest.approx(correlation(np.r_[scores[:4], NO_PATH_SCORE, NO_PATH_SCORE], labels)["kendall_tau"])
    assert on_all["n"] == 6 and with_path["n"] == 4
    assert with_path["kendall_tau"] == pytest.approx(1.0)
    assert scores[4] == 9.0, "the caller's scores are not modified"


def test_correlations_give_one_result_per_dataset_and_refuse_unknown_subsets():
    result = correlations(np.arange(5.0), {"a": np.arange(5.0), "b": -np.arange(5.0)})
    assert result["a"]["kendall_tau"] == pytest.approx(1.0) and result["b"]["kendall_tau"] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="unknown subset 'live'; accepted: all, with_path"):
        correlations(np.arange(5.0), {"a": np.arange(5.0)}, subset="live")


def test_independence_is_the_largest_absolute_correlation_with_another_proxy():
    names = list(PROXIES)
    matrix = pd.DataFrame(np.eye(len(names)) + 0.1 * (1 - np.eye(len(names))), index=names, columns=names)
    matrix.loc["TG", "zen"] = matrix.loc["zen", "TG"] = -0.9
    heatmaps = ProxyHeatmaps({"cifar10": matrix}, {"cifar10": 10}, names)
    independence = fig10_proxy_independence(heatmaps)
    assert independence.loc["TG", "cifar10"] == pytest.approx(0.9)
    assert independence.loc["snip", "cifar10"] == pytest.approx(0.1)
    assert set(independence.index[-2:]) == {"TG", "zen"}, "the two proxies tied to each other are the least independent"


def test_found_cells_are_placed_among_the_random_ones():
    comparison = SurrogateComparison(np.arange(100.0), 50.0, np.array([10.5, 99.5]))
    assert comparison.percentiles() == [11.0, 100.0]
    frame = comparison.frame()
    assert list(frame["cells"]) == ["random (mean ± std)", "DARTS_V2 (published)", "TG hybrid (2 seeds, mean ± std)"]
    assert frame.iloc[2, 1] == "55.00 ± 44.50"


def test_queries_needed_reports_median_range_and_runs_that_got_there():
    curves = pd.DataFrame(
        {
            "method": ["agnet"] * 6,
            "seed": [0, 0, 0, 1, 1, 1],
            "queries": [1, 2, 3, 1, 2, 3],
            "incumbent_test": [93.0, 94.1, 94.1, 93.0, 93.0, 93.5],
            "incumbent_val": [90.0, 91.0, 91.6, 90.0, 90.0, 91.0],
            "queried_test": [93.0, 94.1, 94.4, 93.0, 93.0, 93.5],
            "seconds": [0.1, 0.2, 0.3, 0.1, 0.2, 0.5],
        }
    )
    table = table_queries_needed(curves, val_best=91.6, tg_nas_seconds=0.25)
    assert table.loc["AG-Net-style", "incumbent ≥ 94.0"] == "2 [2–2] (1/2)"
    assert table.loc["AG-Net-style", "incumbent ≥ 94.3"] == "never (0/2)"
    assert table.loc["AG-Net-style", "a queried cell ≥ 94.3"] == "3 [3–3] (1/2)"
    assert table.loc["AG-Net-style", "wall time per run"] == "0.4 s"
    assert table.loc["TG-NAS (0 queries)", "wall time per run"] == "0.25 s"


def test_median_queries_are_told_with_the_seeds_that_got_there():
    curves = pd.DataFrame(
        {
            "method": ["tg-warm"] * 6 + ["agnet"] * 2,
            "seed": [0, 0, 0, 1, 1, 1, 0, 0],
            "queries": [1, 2, 3, 1, 2, 3, 1, 2],
            "incumbent_test": [93.0, 94.1, 94.1, 94.0, 94.0, 94.0, 93.0, 93.0],
        }
    )
    assert median_queries_text(curves, "tg-warm") == "2 (2 of 2 seeds)"  # median of 2 and 1, rounded half to even
    assert median_queries_text(curves, "tg-warm", 94.1) == "2 (1 of 2 seeds)"
    assert median_queries_text(curves, "agnet") == "never within the budget (0 of 1 seeds)"


def test_the_weakest_found_cell_is_named_per_device_and_method():
    found = pd.DataFrame(
        {
            "device": ["edgegpu"] * 3,
            "method": ["tg", "tg", "agnet"],
            "test_acc": [90.0, 88.5, 91.0],
            "latency_ms": [3.0, 2.5, 4.0],
            "limit_ms": [3.0, 3.0, 5.0],
        }
    )
    assert report_weakest_cells(found).splitlines() == [
        "edgegpu, agnet: the weakest found cell is 91.00 % at 4.00 ms (limit 5 ms)",
        "edgegpu, tg: the weakest found cell is 88.50 % at 2.50 ms (limit 3 ms)",
    ]


def _counting_source(n: int, seed: int, name: str) -> LabelledGraphs:
    """NB201 cells with a path labelled by a rule the GCN can learn (more 3x3 convolutions = better)."""
    space = create("nb201")
    rng = np.random.default_rng(seed)
    cells = [c for c in (space.sample(rng) for _ in range(3 * n)) if c.has_path()][:n]
    labels = [c.ops.count("nor_conv_3x3") + 0.5 * c.ops.count("nor_conv_1x1") + 0.01 * i for i, c in enumerate(cells)]
    return LabelledGraphs(name, "nb201", [c.to_graph() for c in cells], np.array(labels))


@pytest.mark.slow
def test_the_grid_trains_scores_and_correlates_every_point_and_seed(tmp_path, one_torch_thread):
    embedder = OperatorEmbedder(cache=tmp_path)
    train, judge = _counting_source(40, 0, "toy-train"), _counting_source(30, 1, "toy-judge")
    target = Target("darts", judge.graphs, judge.labels)  # "darts": the leakage check accepts NB201 training labels
    points = [
        GridPoint({"hidden": hidden}, [train], target, lambda seed, hidden=hidden: GCNPredictor(embedder, GCNConfig(hidden=hidden), seed))
        for hidden in (8, 16)
    ]
    result = train_score_grid(points, seeds=[0, 1], epochs=6)
    assert list(result.frame[["hidden", "seed"]].itertuples(index=False, name=None)) == [(8, 0), (8, 1), (16, 0), (16, 1)]
    assert set(result.histories) == {(8, 0), (8, 1), (16, 0), (16, 1)}
    assert (result.frame["n"] == 30).all()
    assert result.frame["kendall_tau"].mean() > 0.3, "the counting rule transfers to unseen cells"


@pytest.mark.slow
def test_fig2_trains_on_a_fraction_and_ranks_the_rest(one_torch_thread):
    pool = _counting_source(60, 2, "toy")
    fig2 = fig2_training_fraction(pool, pool.labels, [0.5, 0.2], epochs=4)
    assert list(fig2["train cells"]) == [30, 12] and list(fig2["test cells"]) == [30, 48]
    assert np.isfinite(fig2["kendall_tau"]).all()
    assert isinstance(plot_fig2(fig2), plt.Figure)


def test_the_paper_profile_cost_is_measured_on_the_paper_network_and_extrapolated(monkeypatch, capsys):
    calls = []

    def fake_training(cell, epochs, layers, channels, batch_size, train_images, test_images, seed, log=print):
        calls.append((epochs, layers, channels, batch_size, train_images, test_images, seed))
        log("a line the reader must not see")
        return darts_training.TrainingRun(None, {"images_per_second": 5.0}, pd.DataFrame(), 1.0)

    monkeypatch.setattr(darts_training, "train_on_cifar10", fake_training)
    cost = darts_training.measure_paper_profile_cost("a cell", seed=3)
    assert capsys.readouterr().out == ""  # the measuring run's log stays off the page
    paper = {name: darts_training.PARAMETERS[name].paper for name in ("layers", "channels", "batch_size", "epochs")}
    assert calls == [(1, paper["layers"], paper["channels"], paper["batch_size"], darts_training.COST_PROBE_IMAGES, 100, 3)]
    assert cost.epoch_hours == pytest.approx(50_000 / 5.0 / 3600)
    assert cost.total_days == pytest.approx(cost.epoch_hours * paper["epochs"] / 24)
    table = cost.table()
    assert list(table.columns)[-1] == f"{paper['epochs']} epochs (days)" and table.iloc[0, -1] == pytest.approx(cost.total_days)


@pytest.mark.real_data
def test_the_current_proxy_is_compared_with_its_first_release_on_the_same_cells():
    from tgnas.data.nb201 import load_nb201_table
    from tgnas.experiments.nb201_results import hybrid_runs, table4_nb201
    from tgnas.experiments.predictor import nb201_target, table3_releases
    from tgnas.tg.proxy import TGProxy

    table = load_nb201_table()
    current, v1 = TGProxy.load("nb201"), TGProxy.load("nb201", release="v1")
    releases = table3_releases(current, v1, table)
    assert list(releases.index) == ["cifar10", "cifar100", "ImageNet16-120"]
    target = nb201_target(table)
    archs = list(table.frame["arch_str"])
    expected = correlation(v1.score(archs), target.labels, target.has_path, "with_path")["kendall_tau"]
    assert releases.loc["cifar10", "TG v1 τ (with path)"] == pytest.approx(expected)
    assert releases.loc["cifar10", "params τ (all)"] == pytest.approx(
        correlation(table.metric("params_M", None, "cifar10"), target.labels)["kendall_tau"]
    )
    assert releases.loc["cifar10", "TG τ (all)"] != releases.loc["cifar10", "TG v1 τ (all)"]

    runs = hybrid_runs(current, table, 1)
    rows = table4_nb201(runs, table, earlier={"v1": hybrid_runs(v1, table, 1)})["method"].tolist()
    assert rows[-3:] == [
        "TG-NAS (ours, measured, 1 seeds)",
        "TG-NAS (ours, v1 proxy, measured, 1 seeds)",
        "Ground truth (measured, best CIFAR-10 cell)",
    ]
