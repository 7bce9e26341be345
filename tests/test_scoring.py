"""`tgnas.scoring`: the no-path rule and the size baselines over `ArchGraph.features`."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas.scoring import NO_PATH_SCORE, FlopsScorer, ParamsScorer, Scorer, check_scorer_space, score_live
from tgnas.spaces.graph import ArchGraph


def _graph(params: float, flops: float, path: bool = True) -> ArchGraph:
    adjacency = np.zeros((3, 3), dtype=np.uint8)
    if path:
        adjacency[0, 1] = adjacency[1, 2] = 1
    return ArchGraph(("input", "conv3x3", "output"), adjacency, "toy", features={"params_M": params, "flops_M": flops})


def test_size_baselines_read_their_feature_and_rank_no_path_cells_last():
    graphs = [_graph(1.5, 20.0), _graph(0.5, 90.0), _graph(9.0, 99.0, path=False)]
    params, flops = ParamsScorer().score_graphs(graphs), FlopsScorer().score_graphs(graphs)
    assert isinstance(ParamsScorer(), Scorer)
    assert params.dtype == np.float64 and list(params) == [1.5, 0.5, NO_PATH_SCORE]
    assert list(flops) == [20.0, 90.0, NO_PATH_SCORE]


def test_a_graph_without_the_feature_is_named():
    bare = ArchGraph(("input", "conv3x3", "output"), np.triu(np.ones((3, 3), dtype=np.uint8), 1), "toy")
    with pytest.raises(ValueError, match="graph 1 \\(toy\\) has no feature 'flops_M' \\(its features: none\\)"):
        FlopsScorer().score_graphs([_graph(1.0, 2.0), bare])


def test_features_do_not_change_equality_and_cannot_be_changed():
    graph = _graph(1.0, 2.0)
    assert graph == _graph(3.0, 4.0) and hash(graph) == hash(_graph(3.0, 4.0))
    with pytest.raises(TypeError):
        graph.features["params_M"] = 5.0


def test_score_live_calls_the_scorer_only_on_cells_with_a_path():
    seen = []

    def score(graphs):
        seen.append(len(graphs))
        return np.arange(len(graphs), dtype=float)

    scores = score_live([_graph(1, 1, path=False), _graph(1, 1), _graph(1, 1)], score)
    assert seen == [2] and list(scores) == [NO_PATH_SCORE, 0.0, 1.0]
    assert score_live([_graph(1, 1, path=False)], score).tolist() == [NO_PATH_SCORE] and seen == [2]


def test_a_space_bound_scorer_refuses_other_spaces():
    check_scorer_space(ParamsScorer(), "darts")
    check_scorer_space(ParamsScorer("darts"), "darts")
    with pytest.raises(ValueError, match="the scorer scores darts architectures, not nb201"):
        check_scorer_space(ParamsScorer("darts"), "nb201")


def _modules_after(code: str, watched: tuple[str, ...]) -> list[str]:
    """Which of ``watched`` a fresh interpreter has imported after running ``code``."""
    import os
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {watched!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=os.environ, check=True)
    return done.stdout.split()


def test_the_interfaces_import_neither_torch_nor_pandas():
    code = "import tgnas, tgnas.scoring, tgnas.tg, tgnas.zerocost, tgnas.benchmarks"
    assert _modules_after(code, ("torch", "pandas", "scipy")) == []


def test_scoring_with_the_shipped_weights_needs_neither_torch_geometric_nor_sentence_transformers():
    code = (
        "from tgnas.tg.proxy import TGProxy\n"
        "TGProxy.load('nb201').score(['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'])\n"
        "TGProxy.load('darts').score(['DARTS_V2'])"
    )
    assert _modules_after(code, ("torch", "torch_geometric", "sentence_transformers")) == ["torch"]
