"""`tgnas.tg.size_prior`: the TG ranking blended with the network's size."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas.scoring import NO_PATH_SCORE
from tgnas.tg.size_prior import SizePrior, blend, check_kind, check_weight, quantiles

SCORES = np.array([0.9, 0.1, 0.5, NO_PATH_SCORE, 0.3])
SIZES = np.array([1.0, 4.0, 3.0, 9.0, 2.0])


def test_weight_zero_keeps_the_order_of_the_scores_and_cells_without_a_path_stay_last():
    ranked = blend(SCORES, SIZES, 0.0)
    np.testing.assert_array_equal(np.argsort(ranked), np.argsort(SCORES))
    assert ranked[3] == NO_PATH_SCORE and np.isfinite(np.delete(ranked, 3)).all()


def test_the_blend_is_the_weighted_mean_of_the_two_rank_quantiles():
    # live cells 0, 1, 2, 4: score quantiles 7/8, 1/8, 5/8, 3/8; size quantiles 1/8, 7/8, 5/8, 3/8
    ranked = blend(SCORES, SIZES, 0.5)
    np.testing.assert_allclose(ranked[[0, 1, 2, 4]], [0.5, 0.5, 0.625, 0.375])
    # only the order of the sizes matters: their logarithm gives the same ranking
    np.testing.assert_array_equal(blend(SCORES, np.log(SIZES), 0.3), blend(SCORES, SIZES, 0.3))


def test_a_cell_of_unknown_size_is_ranked_by_its_score_alone():
    sizes = SIZES.copy()
    sizes[2] = np.nan
    ranked = blend(SCORES, sizes, 0.5)
    # cell 2: score quantile 5/8, size part 1/2; the other sizes are ranked among themselves
    assert ranked[2] == pytest.approx(0.5 * 5 / 8 + 0.25)
    np.testing.assert_allclose(quantiles(np.array([np.nan, 2.0, 1.0, 2.0])), [np.nan, 2 / 3, 1 / 6, 2 / 3])


@pytest.mark.parametrize("weight", [1.0, -0.1, "0.5", True, np.nan])
def test_weights_outside_zero_to_one_are_refused(weight):
    with pytest.raises(ValueError, match=r"size_weight must be a number in \[0, 1\)"):
        check_weight(weight)


def test_scores_and_sizes_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="5 scores but 4 sizes"):
        blend(SCORES, SIZES[:4], 0.5)


def test_a_fixed_reference_gives_each_value_the_quantile_it_has_there_and_keeps_order_beyond_it():
    prior = SizePrior(0.5, [2.0, 0.0, 1.0, 1.0], [10.0, 20.0, 30.0, 40.0])
    # reference quantiles: 0 → 1/8, 1 (twice) → 1/2, 2 → 7/8; sizes 1/8, 3/8, 5/8, 7/8
    np.testing.assert_allclose(prior.apply([0.0, 1.0, 2.0], [10.0, 30.0, np.nan]), [0.125, 0.5625, 0.6875])
    beyond = prior.apply([-3.0, -1.0, 0.5, 3.0, 9.0], [np.nan] * 5)
    assert (np.diff(beyond) > 0).all() and beyond[0] < 0.25 and beyond[-1] > 1  # no saturation outside the reference
    assert prior.apply([NO_PATH_SCORE], [10.0])[0] == NO_PATH_SCORE
    same = SizePrior.from_state(prior.to_state())
    np.testing.assert_array_equal(same.apply([0.3, 1.7], [15.0, 35.0]), prior.apply([0.3, 1.7], [15.0, 35.0]))
    with pytest.raises(ValueError, match="reference_sizes must be a non-empty list of finite numbers"):
        SizePrior(0.5, [1.0], [])


def test_a_prior_knows_which_size_it_blends_with_and_older_states_mean_the_parameter_count():
    prior = SizePrior(0.25, [0.0, 1.0], [5.0, 7.0], kind="flops")
    assert prior.feature == "flops_M" and SizePrior.from_state(prior.to_state()).kind == "flops"
    legacy = {key: value for key, value in prior.to_state().items() if key != "kind"}  # weights saved before kinds existed
    assert SizePrior.from_state(legacy).kind == "params" and SizePrior.from_state(legacy).feature == "params_M"
    assert check_kind("params") == "params"
    with pytest.raises(ValueError, match="unknown size kind 'latency'; accepted: params, flops"):
        SizePrior(0.25, [0.0], [1.0], kind="latency")
