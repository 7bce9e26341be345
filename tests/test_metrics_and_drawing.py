"""Rank correlation helper and the cell drawings used by the chapters."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Annotation

from tgnas import spaces
from tgnas.metrics import rank_correlation
from tgnas.spaces.draw import draw_graph, draw_nb201_cell, op_colour


def test_rank_correlation_values_and_errors():
    assert rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == {"kendall_tau": 1.0, "spearman_rho": 1.0, "n": 4}
    reverse = rank_correlation(np.arange(5), -np.arange(5))
    assert reverse["kendall_tau"] == pytest.approx(-1.0) and reverse["spearman_rho"] == pytest.approx(-1.0)
    # one swapped pair out of C(4, 2) = 6 pairs: tau = (5 - 1) / 6
    assert rank_correlation([1, 2, 4, 3], [1, 2, 3, 4])["kendall_tau"] == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="NaN in scores \\(1\\)"):
        rank_correlation([1, np.nan, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="equal length"):
        rank_correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 3 pairs"):
        rank_correlation([1, 2], [1, 2])


@pytest.mark.parametrize("name", spaces.NAMES)
def test_every_space_draws_one_box_per_node(name):
    space = spaces.create(name)
    graph = space.to_graph(space.sample(0))
    fig, ax = plt.subplots()
    draw_graph(graph, ax, title=name)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    boxes = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert len(arrows) == graph.n_edges and len(boxes) == graph.n_nodes
    assert boxes.count("input") == len(graph.input_nodes) and boxes.count("output") == 1
    plt.close(fig)


def test_nb201_edge_drawing_labels_every_edge():
    cell = spaces.create("nb201").sample(1)
    fig, ax = plt.subplots()
    draw_nb201_cell(cell, ax)
    labels = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert sorted(labels[:6]) == sorted(cell.ops) and labels[6:] == ["0", "1", "2", "3"]
    plt.close(fig)


def test_operator_families_get_distinct_colours():
    assert op_colour("conv3x3-bn-relu") == op_colour("sep_conv_5x5") != op_colour("max_pool_3x3")
    assert op_colour("skip_connect") != op_colour("input")


def test_a_constant_scorer_has_an_undefined_correlation_not_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = rank_correlation([2.0, 2.0, 2.0, 2.0], [1, 2, 3, 4])
    assert np.isnan(result["kendall_tau"]) and np.isnan(result["spearman_rho"]) and result["n"] == 4
