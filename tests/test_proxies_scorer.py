"""`ZeroCostScorer`: zero-cost proxies behind the one `Scorer` interface, on the same path as `compute_proxies`."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from scipy import stats

from tgnas.scoring import NO_PATH_SCORE, Scorer
from tgnas.spaces import create
from tgnas.spaces.graph import ArchGraph
from tgnas.zerocost import ZeroCostScorer
from tgnas.zerocost.compute import compute_proxies
from tgnas.zerocost.registry import ProxyInput

CELLS = [
    "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",
    "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|",  # no path
    "|skip_connect~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _graphs(archs=CELLS):
    # graphs that name their source architecture (what the space's to_graph records)
    space = create("nb201")
    return [dataclasses.replace(space.to_graph(space.parse(a)), source=a) for a in archs]


def test_one_proxy_scores_as_compute_proxies_and_no_path_cells_lowest():
    scorer = ZeroCostScorer("synflow", "nb201")
    scores = scorer.score_graphs(_graphs())
    assert isinstance(scorer, Scorer) and scorer.space == "nb201" and scores.dtype == np.float64
    assert scores[1] == NO_PATH_SCORE
    for position in (0, 2, 3):
        assert scores[position] == compute_proxies(CELLS[position], ["synflow"]).scores["synflow"]


def test_several_proxies_are_combined_by_mean_rank():
    live = [CELLS[i] for i in (0, 2, 3)]
    params = [compute_proxies(a, ["params"]).scores["params"] for a in live]
    l2 = [compute_proxies(a, ["l2_norm"]).scores["l2_norm"] for a in live]
    expected = (stats.rankdata(params) + stats.rankdata(l2)) / 2
    scores = ZeroCostScorer(["params", "l2_norm"], "nb201").score_graphs(_graphs())
    np.testing.assert_array_equal(scores[[0, 2, 3]], expected)
    assert scores[1] == NO_PATH_SCORE


def test_data_dependent_proxies_use_the_given_batch():
    generator = torch.Generator().manual_seed(0)
    batch = ProxyInput((3, 32, 32), 10, 4, torch.randn(4, 3, 32, 32, generator=generator), torch.tensor([0, 1, 0, 1]))
    scores = ZeroCostScorer("grad_norm", "nb201", batch=batch).score_graphs(_graphs(CELLS[:1]))
    assert scores[0] == compute_proxies(CELLS[0], ["grad_norm"], batch=batch).scores["grad_norm"]


def test_graphs_without_a_source_and_unknown_proxies_are_named():
    space = create("nb201")
    graph = space.to_graph(space.parse(CELLS[0]))
    by_hand = ArchGraph(graph.ops, graph.adjacency, graph.space)  # like a supernet graph: no source architecture
    with pytest.raises(ValueError, match="graph 0 has no source architecture"):
        ZeroCostScorer("params", "nb201").score_graphs([by_hand])
    with pytest.raises(ValueError, match="unknown proxy 'naswot'"):
        ZeroCostScorer(["params", "naswot"], "nb201")
