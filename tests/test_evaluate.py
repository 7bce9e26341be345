"""`tgnas.evaluate`: rank correlations on all cells and on cells with a path, synthetic and on real NB201 data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tgnas.evaluate import SUBSETS, evaluate, evaluate_scores
from tgnas.scoring import NO_PATH_SCORE, ParamsScorer

LABELS = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
HAS_PATH = np.array([False, True, True, True, True, True, True])


def test_a_perfect_scorer_gets_one_and_a_reversed_one_minus_one():
    perfect = evaluate_scores(LABELS * 10, {"a": LABELS}, HAS_PATH)
    reversed_ = evaluate_scores(-LABELS, {"a": LABELS}, HAS_PATH)
    for subset in SUBSETS:
        assert perfect.tau("a", subset) == pytest.approx(1.0) and perfect.rho("a", subset) == pytest.approx(1.0)
        assert reversed_.tau("a", subset) == pytest.approx(-1.0) and reversed_.rho("a", subset) == pytest.approx(-1.0)


def test_no_path_cells_count_in_all_but_not_in_with_path():
    # the no-path cell is the worst; flagging it is right, but the rest is ranked backwards
    scores = np.array([NO_PATH_SCORE, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    result = evaluate_scores(scores, {"a": LABELS}, HAS_PATH)
    assert result.n("all") == 7 and result.n("with_path") == 6
    assert result.tau("a", "with_path") == pytest.approx(-1.0)
    # 21 pairs: the 6 pairs with the no-path cell are concordant, the other 15 discordant
    assert result.tau("a", "all") == pytest.approx((6 - 15) / 21)


def test_each_dataset_is_correlated_with_its_own_labels():
    result = evaluate_scores(LABELS, {"up": LABELS, "down": -LABELS}, HAS_PATH, benchmark="toy", space="nb201")
    assert result.datasets == ("up", "down")
    assert result.tau("up") == pytest.approx(1.0) and result.tau("down") == pytest.approx(-1.0)
    frame = result.frame()
    assert list(frame.columns) == ["dataset", "subset", "kendall_tau", "spearman_rho", "n"]
    assert len(frame) == 4 and set(frame["n"]) == {6, 7}
    data = json.loads(json.dumps(result.to_dict()))
    assert data["kendall_tau"]["with_path"]["down"] == pytest.approx(-1.0) and data["n"] == {"all": 7, "with_path": 6}
    assert data["benchmark"] == "toy" and data["space"] == "nb201"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"labels": {"a": LABELS[:3]}}, "labels of 'a' have shape \\(3,\\), but there are 7 scores"),
        ({"has_path": HAS_PATH.astype(int)}, "has_path must be a boolean mask"),
        ({"labels": {}}, "no labels given"),
        ({"scores": np.where(HAS_PATH, LABELS, np.nan)}, "NaN in scores"),
    ],
)
def test_bad_input_is_refused_in_one_line(kwargs, message):
    arguments = {"scores": LABELS, "labels": {"a": LABELS}, "has_path": HAS_PATH, **kwargs}
    with pytest.raises(ValueError, match=message):
        evaluate_scores(**arguments)


def test_asking_for_an_unevaluated_dataset_or_subset_names_the_accepted_ones():
    result = evaluate_scores(LABELS, {"a": LABELS}, HAS_PATH)
    with pytest.raises(ValueError, match="evaluated: a"):
        result.tau("b")
    with pytest.raises(ValueError, match="accepted: all, with_path"):
        result.tau("a", "some")


def test_a_scorer_of_another_space_is_refused():
    with pytest.raises(ValueError, match="scores darts architectures, not nb201"):
        evaluate(ParamsScorer(space="darts"), "nb201")


# -- real data -----------------------------------------------------------------------------------
#: the shipped nb201 proxy on NB201 (200-epoch test accuracy), recorded when the weights were made
#: (they pin the weights: a retrained model must update them on purpose)
GOLDEN_TG = {
    ("cifar10", "all"): (0.6792139628834474, 0.870394006317289),
    ("cifar10", "with_path"): (0.6648917726921367, 0.8615255680899772),
    ("cifar100", "all"): (0.6398815682154745, 0.837867096490368),
    ("cifar100", "with_path"): (0.6238031746933094, 0.8267729672396512),
    ("ImageNet16-120", "all"): (0.6191810336265751, 0.8150276779825462),
    ("ImageNet16-120", "with_path"): (0.6021800255004257, 0.802371203452232),
}


@pytest.mark.real_data
def test_the_shipped_nb201_proxy_gives_its_recorded_correlations():
    from tgnas.tg.proxy import TGProxy

    result = evaluate(TGProxy.load("nb201"), "nb201")
    assert result.n("all") == 15625 and result.n("with_path") == 15284
    for (dataset, subset), (tau, rho) in GOLDEN_TG.items():
        # float32 sums depend on torch's thread count; through the size prior's quantiles (near-ties) that
        # moves a τ in the 5th decimal, far below any difference between models
        assert result.tau(dataset, subset) == pytest.approx(tau, abs=1e-4)
        assert result.rho(dataset, subset) == pytest.approx(rho, abs=1e-4)


@pytest.mark.real_data
def test_params_from_the_table_as_precomputed_scores_and_the_no_path_rule():
    # the benchmark table's own CIFAR-10 parameter counts, as precomputed scores
    from tgnas import benchmarks

    bench = benchmarks.create("nb201")
    params = bench.table.metric("params_M", None, "cifar10")
    raw = evaluate_scores(params, {"cifar10": bench.labels("cifar10")}, bench.has_path(), "nb201", "nb201")
    assert raw.tau("cifar10", "all") == pytest.approx(0.5778485929525705, abs=1e-9)
    assert raw.tau("cifar10", "with_path") == pytest.approx(0.581677092975194, abs=1e-9)
    assert raw.tau("cifar10", "with_path") < GOLDEN_TG["cifar10", "with_path"][0]  # the shipped proxy now leads params there
    # the uniform no-path rule (every Scorer's) gives params the proxy's reward for flagging those cells
    ruled = evaluate_scores(np.where(bench.has_path(), params, NO_PATH_SCORE), {"cifar10": bench.labels("cifar10")}, bench.has_path())
    assert ruled.tau("cifar10", "all") == pytest.approx(0.6003015817119898, abs=1e-9)
    assert ruled.tau("cifar10", "with_path") == raw.tau("cifar10", "with_path")


def test_average_ranks_share_ties_like_scipy():
    from scipy import stats

    from tgnas.metrics import average_ranks

    values = np.array([3.0, 1.0, 3.0, -np.inf, 2.0, 3.0, 1.0])
    np.testing.assert_array_equal(average_ranks(values), stats.rankdata(values))
    np.testing.assert_array_equal(average_ranks([2.0, 1.0]), [2.0, 1.0])
    with pytest.raises(ValueError, match="without NaN"):
        average_ranks([1.0, np.nan])
