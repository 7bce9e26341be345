"""The GCN predictor and its training loop (paper §3.3), on small synthetic and real sources."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tgnas import interrupts
from tgnas.scoring import NO_PATH_SCORE, Scorer
from tgnas.spaces import create
from tgnas.tg import train as loop
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.ensemble import train_proxy
from tgnas.tg.gcn import (
    DenseGATLayer,
    DenseGCNLayer,
    DenseGINLayer,
    GCNConfig,
    GCNRegressor,
    encode_graphs,
    normalised_adjacency,
    with_self_loops,
)
from tgnas.tg.predictor import GCNPredictor
from tgnas.tg.sources import LabelledGraphs, normalise_labels
from tgnas.tg.train import LeakageError, TrainRecipe, train_predictor


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return OperatorEmbedder(cache=tmp_path_factory.mktemp("embeddings"))


def _nb201_source(n=60, seed=0, name="toy"):
    """NB201 cells labelled by a known rule (more 3x3 convolutions = better), for fitting tests."""
    space = create("nb201")
    rng = np.random.default_rng(seed)
    cells = [c for c in (space.sample(rng) for _ in range(3 * n)) if c.has_path()][:n]
    labels = [c.ops.count("nor_conv_3x3") + 0.5 * c.ops.count("nor_conv_1x1") + 0.01 * i for i, c in enumerate(cells)]
    return LabelledGraphs(name, "nb201", [c.to_graph() for c in cells], np.array(labels))


def test_graphs_are_deduplicated_and_padded(embedder):
    space = create("nb201")
    graphs = [
        space.to_graph(space.parse(s))
        for s in (
            "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|",
            "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|",
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|",
        )
    ]
    batch = encode_graphs(graphs, embedder)
    assert len(batch) == 2 and list(batch.index) == [0, 0, 1]
    assert batch.ops.shape == (2, 8) and batch.mask.sum(dim=1).tolist() == [3, 8]
    assert batch.table.shape == (6, 384)  # input, output and the four operators used


def test_a_score_does_not_depend_on_the_other_graphs_of_the_batch(embedder):
    predictor = GCNPredictor(embedder, GCNConfig(), seed=1)
    nb201 = create("nb201")
    small = nb201.to_graph(nb201.parse("|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|"))
    darts = create("darts")
    big = darts.to_graph(darts.parse("DARTS_V2"), cell="both")  # 20 nodes: pads the small graph
    alone = predictor.score_graphs([small])
    together = predictor.score_graphs([big, small, big])
    np.testing.assert_allclose(together[1], alone[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(together[0], together[2])


def test_a_predictor_is_a_scorer_that_gives_no_path_cells_the_lowest_score(embedder):
    predictor = GCNPredictor(embedder, GCNConfig(hidden=8), seed=0)
    nb201 = create("nb201")
    graphs = [
        nb201.to_graph(nb201.parse(s))
        for s in (
            "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|",
        )
    ]
    assert isinstance(predictor, Scorer)
    scores = predictor.score_graphs(graphs)
    assert scores.dtype == np.float64 and scores[0] == NO_PATH_SCORE and np.isfinite(scores[1])
    assert predictor.score_graphs([]).shape == (0,)


def _random_adjacency(seed: int, batch: int = 3, n: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    adj = torch.triu((torch.rand(batch, n, n, generator=generator) < 0.5).float(), diagonal=1)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[1, -2:] = False
    return adj, mask


def test_the_plain_torch_layer_equals_torch_geometric_dense_gcn_conv():
    # torch_geometric only here: the layer replaces DenseGCNConv so that scoring need not import it
    from torch_geometric.nn import DenseGCNConv

    torch.manual_seed(5)
    reference = DenseGCNConv(6, 4)
    torch.manual_seed(5)
    layer = DenseGCNLayer(6, 4)
    assert set(layer.state_dict()) == set(reference.state_dict()) == {"lin.weight", "bias"}
    for name, value in reference.state_dict().items():  # same initialisation from the same seed
        torch.testing.assert_close(layer.state_dict()[name], value, rtol=0, atol=0)
    with torch.no_grad():
        reference.bias.normal_()
    layer.load_state_dict(reference.state_dict())
    _assert_same_layer(layer, reference, seed=0)


def _assert_same_layer(layer, reference, seed: int, undirected: bool = False) -> None:
    """``layer`` and the torch_geometric ``reference`` give the same output on a random padded batch."""
    adj, mask = _random_adjacency(seed)
    if undirected:
        adj = adj + adj.transpose(1, 2)
    x = torch.randn(3, 5, 6)
    torch.testing.assert_close(layer(x, adj, mask), reference(x, adj, mask))


def _two_graphs() -> tuple[torch.Tensor, ...]:
    """(table, ops, adj, mask): a 4-node and a padded 3-node DAG over a 5-operator table."""
    table = torch.randn(5, 4)
    ops = torch.tensor([[0, 2, 3, 1], [0, 4, 1, 0]])
    adj = torch.zeros(2, 4, 4)
    adj[0, 0, 1] = adj[0, 0, 2] = adj[0, 1, 2] = adj[0, 2, 3] = 1
    adj[1, 0, 1] = adj[1, 1, 2] = 1
    mask = torch.tensor([[True] * 4, [True, True, True, False]])
    return table, ops, adj, mask


def _stacked(network: GCNRegressor, h: torch.Tensor, adjacency: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The network's output computed by its layers' own ``forward`` on ``adjacency``, one after another."""
    for conv in network.convs:
        h = torch.relu(conv(h, adjacency, mask))
    return network.head(h.sum(dim=1)).squeeze(-1)


def test_the_gin_layer_equals_torch_geometric_dense_gin_conv_around_its_mlp():
    from torch_geometric.nn import DenseGINConv

    torch.manual_seed(3)
    layer = DenseGINLayer(6, 4)
    with torch.no_grad():
        layer.bias.normal_()
    mlp = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4))
    reference = DenseGINConv(mlp, eps=0.0)  # (it re-initialises the MLP: load the layer's weights after)
    mlp.load_state_dict({"0.weight": layer.lin.weight, "0.bias": layer.bias, "2.weight": layer.lin2.weight, "2.bias": layer.lin2.bias})
    _assert_same_layer(layer, reference, seed=1)


def test_the_gat_layer_equals_torch_geometric_dense_gat_conv_with_one_head():
    from torch_geometric.nn import DenseGATConv

    torch.manual_seed(4)
    layer = DenseGATLayer(6, 4)
    with torch.no_grad():
        layer.bias.normal_()
    reference = DenseGATConv(6, 4, heads=1)
    reference.load_state_dict(
        {
            "lin.weight": layer.lin.weight,
            "att_src": layer.att_src.view(1, 1, 1, 4),
            "att_dst": layer.att_dst.view(1, 1, 1, 4),
            "bias": layer.bias,
        }
    )
    _assert_same_layer(layer, reference, seed=2, undirected=True)


@pytest.mark.parametrize("kind", ["gin", "gat"])
def test_gin_and_gat_networks_equal_their_stacked_layers_on_a_with_self_loops(kind):
    torch.manual_seed(1)
    network = GCNRegressor(4, GCNConfig(layers=2, hidden=3, dropout=0.0, layer=kind)).eval()
    assert all(type(conv) is {"gin": DenseGINLayer, "gat": DenseGATLayer}[kind] for conv in network.convs)
    table, ops, adj, mask = _two_graphs()
    undirected = adj + adj.transpose(1, 2)
    torch.testing.assert_close(network(table, ops, adj, mask), _stacked(network, table[ops], undirected, mask))
    torch.testing.assert_close(network.propagation(adj), with_self_loops(undirected))
    other = GCNRegressor(4, GCNConfig(layers=2, hidden=3, dropout=0.0)).eval()
    assert not torch.allclose(network(table, ops, adj, mask), other(table, ops, adj, mask))


def test_layers_equal_stacked_dense_gcn_layers_on_the_normalised_adjacency():
    torch.manual_seed(0)
    config = GCNConfig(layers=2, hidden=3, direction="forward", dropout=0.0)
    network = GCNRegressor(4, config).eval()
    table, ops, adj, mask = _two_graphs()
    # reference: the paper's Â = D^-½(A+I)D^-½ through the layer's own forward, node by node
    forward_adjacency = adj.transpose(1, 2)
    torch.testing.assert_close(network(table, ops, adj, mask), _stacked(network, table[ops], forward_adjacency, mask))
    a = forward_adjacency[0] + torch.eye(4)
    d = torch.diag(a.sum(dim=1).rsqrt())
    torch.testing.assert_close(normalised_adjacency(forward_adjacency)[0], d @ a @ d)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"readout": "attention"}, "accepted: sum, mean, max, sum\\+mean"),
        ({"direction": "up"}, "accepted: undirected"),
        ({"layers": 0}, "must be ≥ 1"),
        ({"dropout": 1.0}, "dropout"),
        ({"layer": "sage"}, "unknown layer 'sage'; accepted: gcn, gin, gat"),
        ({"layer": "gin", "normalise_adjacency": False}, "official variant of the gcn layer; gin does not normalise"),
    ],
)
def test_bad_configs_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GCNConfig(**kwargs)


def test_label_normalisation_puts_sources_on_one_scale():
    percent = normalise_labels(np.array([90.0, 93.0, 94.0, 94.0]), "rank")
    fraction = normalise_labels(np.array([0.90, 0.93, 0.94, 0.94]), "rank")
    np.testing.assert_allclose(percent, fraction)
    np.testing.assert_allclose(percent, [0.125, 0.375, 0.75, 0.75])
    z = normalise_labels(np.array([1.0, 2.0, 3.0]), "zscore")
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12
    with pytest.raises(ValueError, match="accepted: rank, zscore"):
        normalise_labels(np.ones(3), "minmax")


def test_the_zero_shot_routine_refuses_labels_of_the_target_space(embedder):
    source = _nb201_source(10)
    with pytest.raises(LeakageError, match="refusing to train a zero-shot nb201 model on nb201 labels"):
        train_predictor([source], "nb201", GCNPredictor(embedder), TrainRecipe(epochs=1), progress=False)


def test_sources_with_bad_labels_are_refused():
    graphs = _nb201_source(5).graphs
    with pytest.raises(ValueError, match="NaN or infinite"):
        LabelledGraphs("bad", "nb201", graphs, [1, 2, np.nan, 4, 5])
    with pytest.raises(ValueError, match="5 graphs but labels of shape"):
        LabelledGraphs("bad", "nb201", graphs, [1, 2])


def test_fit_learns_a_counting_rule_that_graph_norm_erases(embedder):
    # the reason graph normalisation is off by default (tgnas.tg.predictor docstring)
    from tgnas.metrics import rank_correlation

    train_source, test_source = _nb201_source(80, seed=0), _nb201_source(40, seed=1)
    taus = {}
    for graph_norm in (False, True):
        predictor = GCNPredictor(embedder, GCNConfig(hidden=32, readout="sum", graph_norm=graph_norm), seed=0)
        predictor.fit(train_source.graphs, train_source.labels, epochs=40, batch_size=16)
        taus[graph_norm] = rank_correlation(predictor.score_graphs(test_source.graphs), test_source.labels)["kendall_tau"]
    assert taus[False] > 0.6
    assert taus[True] < taus[False] - 0.2


def test_an_interrupted_run_resumes_to_the_same_weights(embedder, tmp_path, monkeypatch):
    source = _nb201_source(40)
    recipe = TrainRecipe(epochs=4, batch_size=16, seed=3)
    config = GCNConfig(hidden=16)
    straight = train_predictor([source], "darts", GCNPredictor(embedder, config, seed=3), recipe, progress=False)

    calls = {"n": 0}
    real_validate = loop._validate

    def dies_in_epoch_3(predictor, prepared):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_validate(predictor, prepared)

    monkeypatch.setattr(loop, "_validate", dies_in_epoch_3)
    interrupts.clear()
    with pytest.raises(KeyboardInterrupt):
        train_predictor([source], "darts", GCNPredictor(embedder, config, seed=3), recipe, checkpoint_dir=tmp_path, progress=False)
    monkeypatch.setattr(loop, "_validate", real_validate)
    assert torch.load(tmp_path / loop.CHECKPOINT_NAME, weights_only=False)["epoch"] == 2
    assert interrupts.last_finished() == "epoch 2/4"  # what `tgnas train` prints when interrupted
    resumed = train_predictor(
        [source], "darts", GCNPredictor(embedder, config, seed=3), recipe, checkpoint_dir=tmp_path, resume=True, progress=False
    )
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
    assert resumed.best_epoch == straight.best_epoch
    for a, b in zip(straight.predictor.network.state_dict().values(), resumed.predictor.network.state_dict().values()):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize(("dies_at", "finished"), [(2, "member 1/2, epoch 1/3"), (5, "member 2/2, epoch 1/3"), (1, None)])
def test_an_interrupted_ensemble_reports_the_member_and_epoch_on_disk(embedder, tmp_path, monkeypatch, dies_at, finished):
    calls = {"n": 0}
    real_validate = loop._validate

    def dies(predictor, prepared):
        calls["n"] += 1
        if calls["n"] == dies_at:
            raise KeyboardInterrupt
        return real_validate(predictor, prepared)

    monkeypatch.setattr(loop, "_validate", dies)
    interrupts.clear()
    with pytest.raises(KeyboardInterrupt):
        train_proxy(
            [_nb201_source(20)],
            "darts",
            members=2,
            recipe=TrainRecipe(epochs=3, batch_size=8),
            config=GCNConfig(hidden=8),
            embedder=embedder,
            checkpoint_dir=tmp_path,
            progress=False,
        )
    assert interrupts.last_finished() == finished


@pytest.mark.parametrize(
    ("config", "recipe", "named"),
    [
        (GCNConfig(hidden=16), TrainRecipe(epochs=1), "config.hidden: 8 in the checkpoint, 16 now"),
        (GCNConfig(hidden=8), TrainRecipe(epochs=3), "recipe.epochs: 1 in the checkpoint, 3 now"),
        (
            GCNConfig(hidden=8),
            TrainRecipe(epochs=1, seed=4, loss="mse"),
            "recipe.loss: mse+pairwise in the checkpoint, mse now; recipe.seed: 0",
        ),
    ],
)
def test_resuming_a_checkpoint_of_other_settings_names_only_what_differs(embedder, tmp_path, config, recipe, named):
    source = _nb201_source(20)
    train_predictor(
        [source], "darts", GCNPredictor(embedder, GCNConfig(hidden=8)), TrainRecipe(epochs=1), checkpoint_dir=tmp_path, progress=False
    )
    with pytest.raises(ValueError, match=r"cannot resume .*checkpoint.pt: settings differ \(") as refused:
        train_predictor([source], "darts", GCNPredictor(embedder, config), recipe, checkpoint_dir=tmp_path, resume=True, progress=False)
    message = str(refused.value)
    assert named in message and "lr" not in message and "sources" not in message and "layers" not in message


@pytest.mark.real_data
def test_nb101_source_merges_the_two_files_into_distinct_cells():
    from tgnas.tg.sources import nb101_source

    source = nb101_source()
    assert source.space == "nb101"
    assert 301 <= len(source) <= 331  # 301 distinct NASLib cells + up to 30 official ones
    assert source.labels.min() > 70 and source.labels.max() < 96  # percent


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nb999", "accepted: nb101\\[:FILES\\], nb301\\[:N\\[:SEED\\]\\], nb201\\[:DATASETS\\]"),
        ("nb301:many", "write nb301:N or nb301:N:SEED"),
        ("nb301:1", "at least 3 genotypes"),
        ("bench:nope", "unknown benchmark 'nope' in source 'bench:nope'; registered: nb201, nb101"),
        ("bench:nb201:all", "TASKS must be one of per_task, mean, got 'all'"),
        ("bench:nb201:mean:x", "MAX_CELLS must be a positive integer, got 'x'"),
        ("bench:", "write bench:NAME"),
        ("bench:nb201", "can be several sources: load it with load_sources"),
    ],
)
def test_bad_source_specs_are_explained(spec, message):
    from tgnas.tg.sources import load_source

    with pytest.raises(ValueError, match=message):
        load_source(spec)


@pytest.mark.real_data
def test_a_benchmark_source_spec_gives_its_training_labels():
    from tgnas.tg.sources import load_sources, source_space

    assert source_space("bench:nb101") == "nb101"
    (mean,) = load_sources("bench:nb201:mean:100")
    assert (mean.name, mean.space, len(mean)) == ("nb201:mean", "nb201", 100)
    assert mean.labels.min() > 0 and mean.labels.max() < 1  # the mean of per-dataset ranks in (0, 1)
    per_task = load_sources("bench:nb201:per_task:50")
    assert [s.name for s in per_task] == ["nb201:cifar10", "nb201:cifar100", "nb201:ImageNet16-120"]
    assert per_task[0].labels.max() < 92  # validation accuracies (the test maximum is 94.37)
    assert all(graph.has_path() for graph in per_task[0].graphs)


@pytest.mark.real_data
def test_nb301_source_labels_darts_cells_in_percent():
    from tgnas.tg.sources import load_source

    source = load_source("nb301:20:1")
    assert source.space == "darts" and len(source) == 20
    assert all(len(graph.ops) == 20 for graph in source.graphs)  # both cells chained
    assert source.labels.min() > 85 and source.labels.max() < 96


def test_a_seed_gives_the_network_torch_geometric_would_have_built():
    # the shipped weights were trained from DenseGCNConv's initialisation; retraining must start there
    from torch_geometric.nn import DenseGCNConv

    config = GCNConfig(layers=2, hidden=8)
    torch.manual_seed(11)
    network = GCNRegressor(5, config)
    torch.manual_seed(11)
    reference = [DenseGCNConv(5, 8), DenseGCNConv(8, 8)]
    head = torch.nn.Sequential(
        torch.nn.Linear(8, config.head_hidden), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(config.head_hidden, 1)
    )
    expected = {f"convs.{i}.{k}": v for i, conv in enumerate(reference) for k, v in conv.state_dict().items()}
    expected.update({f"head.{k}": v for k, v in head.state_dict().items()})
    assert set(network.state_dict()) == set(expected)
    for name, value in network.state_dict().items():
        torch.testing.assert_close(value, expected[name], rtol=0, atol=0)


def test_a_trained_network_is_refused_behind_an_embedder_of_another_size(embedder):
    with pytest.raises(ValueError, match="expect 64-d operator embeddings .* gives 384-d"):
        GCNPredictor(embedder, network=GCNRegressor(64, GCNConfig()))


def test_the_training_loop_does_not_import_the_predictor():
    # predictor → train is the only direction (the loop trains anything with a network and an embedder)
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(loop))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "tgnas.tg.predictor" not in imported and "tgnas.tg.proxy" not in imported


@pytest.mark.parametrize("loss", ["pairwise", "listwise"])
def test_a_batch_of_tied_labels_trains_on_without_a_ranking_term(loss):
    # one source whose labels all tie: a ranking loss has no order to learn, and training must not fail on it
    from tgnas.spaces import nb201
    from tgnas.tg.sources import LabelledGraphs
    from tgnas.tg.train import TrainRecipe, fit_network

    cells = [nb201.NB201Cell(("nor_conv_3x3",) * 5 + (op,)) for op in ("nor_conv_3x3", "nor_conv_1x1", "skip_connect", "avg_pool_3x3")]
    graphs = [cell.to_graph() for cell in cells] * 2
    source = LabelledGraphs("ties", "nb201", graphs, np.full(len(graphs), 90.0))
    predictor = GCNPredictor(OperatorEmbedder(cache=False), GCNConfig(hidden=8, head_hidden=4), seed=0)
    result = fit_network(predictor, [source], TrainRecipe(epochs=2, batch_size=4, loss=loss, val_fraction=0.0, patience=2), progress=False)
    assert [entry["loss"] for entry in result.history] == [0.0, 0.0]


def test_the_listwise_loss_is_listmle_of_the_true_order_without_ties():
    predicted = torch.tensor([0.3, -1.2, 2.0, 0.7])
    target = torch.tensor([2.0, 0.0, 3.0, 1.0])  # true order: cells 2, 0, 3, 1
    ordered = predicted[[2, 0, 3, 1]]
    listmle = sum(torch.logsumexp(ordered[i:], dim=0) - ordered[i] for i in range(4)) / 4
    assert torch.isclose(loop.listwise_loss(predicted, target), listmle)


def test_the_listwise_loss_ignores_the_order_among_tied_cells():
    target = torch.tensor([1.0, 1.0, 0.0])
    swapped = loop.listwise_loss(torch.tensor([0.5, 2.0, -1.0]), target)
    assert torch.isclose(swapped, loop.listwise_loss(torch.tensor([2.0, 0.5, -1.0]), target))
    assert loop.listwise_loss(torch.tensor([5.0, 5.0, -5.0]), target) < loop.listwise_loss(torch.tensor([-5.0, -5.0, 5.0]), target)


def test_a_listwise_fit_learns_the_counting_rule(embedder):
    from tgnas.metrics import rank_correlation
    from tgnas.tg.train import fit_network

    train_source, test_source = _nb201_source(80, seed=0), _nb201_source(40, seed=1)
    predictor = GCNPredictor(embedder, GCNConfig(hidden=32), seed=0)
    fit_network(
        predictor, [train_source], TrainRecipe(epochs=40, batch_size=16, loss="listwise", val_fraction=0.0, patience=40), progress=False
    )
    assert rank_correlation(predictor.score_graphs(test_source.graphs), test_source.labels)["kendall_tau"] > 0.6


def test_the_same_seed_trains_bit_identical_weights_on_two_threads(embedder):
    # plain indexing of the operator table accumulated its gradient in a different order each run
    # (a multi-threaded CPU kernel), so reruns of a chapter gave different numbers
    from tgnas.tg.train import fit_network

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        source, weights = _nb201_source(200), []
        for _ in range(3):
            predictor = GCNPredictor(embedder, GCNConfig(layer="gin"), seed=0)
            fit_network(predictor, [source], TrainRecipe(epochs=3, batch_size=64, val_fraction=0.0, patience=3), progress=False)
            weights.append(torch.cat([value.flatten() for value in predictor.network.state_dict().values()]))
    finally:
        torch.set_num_threads(threads)
    assert all(torch.equal(w, weights[0]) for w in weights[1:])
