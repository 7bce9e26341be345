"""`TGProxy`: persistence, scoring rules, the shipped models and the CLI around them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tgnas import TGProxy, cli
from tgnas.choices import LOADED_WEIGHTS_LOG
from tgnas.scoring import NO_PATH_SCORE, Scorer
from tgnas.spaces import create
from tgnas.spaces.darts import DARTS_V1, DARTS_V2
from tgnas.spaces.graph import ArchGraph
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.ensemble import train_proxy
from tgnas.tg.gcn import GCNConfig, GCNRegressor
from tgnas.tg.predictor import GCNPredictor
from tgnas.tg.proxy import weights_path
from tgnas.tg.sources import LabelledGraphs
from tgnas.tg.train import TrainRecipe

BEST_NB201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
NO_PATH = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
#: five NB201 cells and the shipped nb201 proxy's scores of them, recorded when the weights were made (they pin
#: the weights and the scoring code: a retrained model updates them on purpose)
GOLDEN_NB201 = {
    BEST_NB201: 0.9951010680963892,
    "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|skip_connect~2|": 0.2698645879548097,
    "|nor_conv_1x1~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|skip_connect~1|none~2|": 0.23971638892908947,
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|": 0.1766230643621919,
    NO_PATH: float("-inf"),
}
#: the shipped darts proxy's scores of DARTS_V2 and DARTS_V1, recorded the same way
GOLDEN_DARTS = {str(DARTS_V2): 0.6158193170493604, str(DARTS_V1): 0.54822190204652}


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return OperatorEmbedder(cache=tmp_path_factory.mktemp("embeddings"))


def _toy_darts_source(count: int, seed: int, label) -> LabelledGraphs:
    """``count`` random DARTS genotypes labelled by ``label(index, genotype)`` (no NB201 label involved)."""
    space = create("darts")
    rng = np.random.default_rng(seed)
    genotypes = [space.sample(rng) for _ in range(count)]
    labels = np.array([label(i, g) for i, g in enumerate(genotypes)], dtype=float)
    return LabelledGraphs("toy-darts", "darts", [space.to_graph(g, cell="both") for g in genotypes], labels)


@pytest.fixture(scope="module")
def small_proxy(embedder):
    """A two-member proxy for NB201 trained on toy DARTS labels (no NB201 label involved)."""
    source = _toy_darts_source(40, 0, lambda i, g: sum(op.startswith("sep") for op, _ in g.normal) + 0.01 * i)
    return train_proxy(
        [source],
        "nb201",
        members=2,
        recipe=TrainRecipe(epochs=3, batch_size=16),
        config=GCNConfig(hidden=16),
        embedder=embedder,
        progress=False,
    )


def test_save_load_round_trip_scores_identically(small_proxy, tmp_path):
    archs = [BEST_NB201, "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|skip_connect~2|"]
    path = small_proxy.save(tmp_path / "toy.pt")
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["nb201_labels_used"] is False and card["members"] == 2 and len(card["sha256"]) == 64
    loaded = TGProxy.load(path)
    np.testing.assert_array_equal(loaded.score(archs), small_proxy.score(archs))


def test_a_mixed_length_proxy_scores_from_its_saved_embeddings_alone(embedder, tmp_path, monkeypatch):
    mixed = OperatorEmbedder(length="mixed", cache=embedder._cache_file.parent)
    source = _toy_darts_source(20, 1, lambda i, g: float(i))
    proxy = train_proxy(
        [source],
        "nb201",
        members=1,
        recipe=TrainRecipe(epochs=1, batch_size=16),
        config=GCNConfig(hidden=8),
        embedder=mixed,
        progress=False,
    )
    path = proxy.save(tmp_path / "mixed.pt")

    def refuse(model):
        raise AssertionError("the transformer was loaded although the weights ship every description's embedding")

    monkeypatch.setattr("tgnas.tg.embed._load_transformer", refuse)
    loaded = TGProxy.load(path)
    assert loaded.embedder.key == "all-MiniLM-L6-v2/mixed"
    np.testing.assert_array_equal(loaded.score([BEST_NB201, NO_PATH]), proxy.score([BEST_NB201, NO_PATH]))


def test_a_changed_weights_file_is_detected(small_proxy, tmp_path):
    path = small_proxy.save(tmp_path / "toy.pt")
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="does not match the sha256"):
        TGProxy.load(path)


def test_weights_without_their_card_load_only_unverified(small_proxy, tmp_path):
    path = small_proxy.save(tmp_path / "toy.pt")
    path.with_suffix(".json").unlink()
    with pytest.raises(FileNotFoundError, match=r"model card .*toy.json of the weights .* is missing.*--no-verify"):
        TGProxy.load(path)
    assert TGProxy.load(path, verify=False).card == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"sha256": "ab",\n  "members" 2}', r"toy.json is not valid JSON: Expecting ':' delimiter at line 2, column 13"),
        ("", r"toy.json is not valid JSON: Expecting value at line 1, column 1"),
        ("[1, 2]", r"toy.json must hold a JSON object, got a JSON list"),
        ('{"members": 2}', r"toy.json records no sha256 of toy.pt"),
    ],
)
def test_a_bad_card_is_named_with_the_error_position(small_proxy, tmp_path, text, message):
    path = small_proxy.save(tmp_path / "toy.pt")
    path.with_suffix(".json").write_text(text)
    with pytest.raises(ValueError, match=message):
        TGProxy.load(path)
    assert TGProxy.load(path, verify=False).space == "nb201"


def test_cli_refuses_weights_without_a_card_unless_no_verify(small_proxy, tmp_path, capsys):
    path = small_proxy.save(tmp_path / "toy.pt")
    path.with_suffix(".json").unlink()
    assert cli.main(["score", "--space", "nb201", "--weights", str(path), BEST_NB201]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "toy.json" in error and "is missing" in error and "--no-verify" in error
    assert cli.main(["score", "--space", "nb201", "--weights", str(path), "--no-verify", BEST_NB201]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("tgnas: warning: --no-verify: loading")
    assert captured.out.endswith(f"\t{BEST_NB201}\n")


@pytest.mark.parametrize("command", [["score", "--space", "nb201", "x"], ["evaluate", "--space", "nb201"], ["search"]])
def test_every_command_with_weights_takes_no_verify(command):
    parser = cli.build_parser()
    assert parser.parse_args(command).verify is True
    assert parser.parse_args([*command, "--weights", "w.pt", "--no-verify"]).verify is False


def test_weights_for_another_embedding_size_are_refused(embedder):
    with pytest.raises(ValueError, match="expect 64-d operator embeddings .* gives 384-d"):
        TGProxy.from_networks("nb201", embedder, [GCNRegressor(64, GCNConfig())])


def test_members_must_share_one_embedder(embedder, tmp_path):
    other = OperatorEmbedder(cache=tmp_path)
    with pytest.raises(ValueError, match="share one embedder"):
        TGProxy("nb201", [GCNPredictor(embedder), GCNPredictor(other)])


def test_the_proxy_is_the_mean_of_its_members_scored_alone(small_proxy):
    graphs = small_proxy.graphs(list(GOLDEN_NB201))
    alone = np.mean([member.score_graphs(graphs[:-1]) for member in small_proxy.members], axis=0)
    np.testing.assert_allclose(small_proxy.score_graphs(graphs)[:-1], alone, rtol=1e-12, atol=1e-12)
    assert isinstance(small_proxy, Scorer) and small_proxy.space == "nb201"


@pytest.mark.parametrize("name, golden", [("nb201", GOLDEN_NB201), ("darts", GOLDEN_DARTS)])
def test_shipped_weights_score_as_recorded(name, golden):
    scores = TGProxy.load(name).score(list(golden))
    np.testing.assert_allclose(scores, list(golden.values()), rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["nb201", "darts"])
def test_the_first_release_loads_verified_and_differs_from_the_current_one(name):
    v1 = TGProxy.load(name, release="v1")
    assert v1.card["release"] == "v1" and v1.space == TGProxy.load(name).space
    assert weights_path(name, "v1").parent.name == "v1" and weights_path(name, "v1") != weights_path(name)
    assert v1.card["sha256"] != TGProxy.load(name).card["sha256"]


def test_loads_of_shipped_weights_are_noted_where_the_book_runner_asks(small_proxy, tmp_path, monkeypatch):
    log = tmp_path / "loaded.log"
    monkeypatch.delenv(LOADED_WEIGHTS_LOG, raising=False)
    TGProxy.load("nb201")  # nothing asked for: nothing written
    assert not log.exists()
    monkeypatch.setenv(LOADED_WEIGHTS_LOG, str(log))
    TGProxy.load("nb201")
    TGProxy.load("darts", release="v1")
    TGProxy.load(small_proxy.save(tmp_path / "toy.pt"))  # a user's weights are no chapter input
    TGProxy.load(weights_path("nb201"))  # the shipped file by its path
    assert log.read_text().split() == ["nb201.pt", "v1/darts.pt", "nb201.pt"]


def test_unknown_releases_and_releases_of_files_are_refused(small_proxy, tmp_path):
    with pytest.raises(ValueError, match=r"no release 'v0' .*accepted: v1"):
        TGProxy.load("nb201", release="v0")
    path = small_proxy.save(tmp_path / "toy.pt")
    with pytest.raises(ValueError, match=r"release='v1' applies to the shipped proxies"):
        TGProxy.load(path, release="v1")


def test_cells_without_a_path_get_the_documented_lowest_score(small_proxy):
    scores = small_proxy.score([NO_PATH, BEST_NB201])
    assert scores[0] == NO_PATH_SCORE == float("-inf") and np.isfinite(scores[1])


def test_strings_cells_and_graphs_score_the_same(small_proxy):
    cell = create("nb201").parse(BEST_NB201)
    values = small_proxy.score([BEST_NB201, cell, cell.to_graph()])
    assert values[0] == values[1] == values[2]


def test_unseen_operators_are_embedded_on_the_fly(small_proxy):
    adjacency = np.zeros((4, 4), dtype=np.uint8)
    adjacency[0, 1] = adjacency[1, 2] = adjacency[2, 3] = 1
    graph = ArchGraph(("input", "conv7x7", "mbconv_e6_k5", "output"), adjacency, "nb201")
    assert np.isfinite(small_proxy.score([graph])[0])


def test_bad_architectures_are_named(small_proxy):
    with pytest.raises(ValueError, match="architecture 1 .* is not a nb201 architecture"):
        small_proxy.score([BEST_NB201, "|conv9x9~0|+|"])


def test_unknown_shipped_name_lists_the_shipped_ones():
    with pytest.raises(FileNotFoundError, match="shipped: nb201, darts"):
        TGProxy.load("nb999.pt")


def test_shipped_nb201_model_never_saw_nb201_labels():
    proxy = TGProxy.load("nb201")
    assert proxy.card["nb201_labels_used"] is False
    assert proxy.card["target_space"] == "nb201"
    assert all(source["space"] != "nb201" for source in proxy.card["sources"])
    assert proxy.card["bytes"] < 5_000_000 and proxy.card["command"].startswith("tgnas train")


def test_shipped_darts_model_scores_genotypes_and_known_names():
    proxy = TGProxy.load("darts")
    assert proxy.card["target_space"] == "darts"
    scores = proxy.score(["DARTS_V2", "DARTS_V1"])
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_cli_score_prints_one_line_per_architecture(capsys):
    assert cli.main(["score", "--space", "nb201", BEST_NB201, NO_PATH]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("-inf\t")
    assert cli.main(["score", "--space", "nb201", "--json", NO_PATH]) == 0
    assert json.loads(capsys.readouterr().out) == [{"arch": NO_PATH, "score": None}]


def test_cli_score_rejects_bad_architectures_in_one_line(capsys):
    assert cli.main(["score", "--space", "nb201", "|bogus~0|"]) == 2
    assert "is not a nb201 architecture" in capsys.readouterr().err


@pytest.mark.real_data
def test_cli_evaluate_json_has_the_documented_keys(capsys):
    assert cli.main(["evaluate", "--space", "nb201", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {
        "benchmark",
        "space",
        "kendall_tau",
        "spearman_rho",
        "n",
        "n_per_dataset",
        "score_seconds",
        "scorer",
        "nb201_labels_used",
    }
    assert set(result["kendall_tau"]) == {"all", "with_path"}
    assert set(result["kendall_tau"]["all"]) == {"cifar10", "cifar100", "ImageNet16-120"}
    assert result["n"] == {"all": 15625, "with_path": 15284} and result["nb201_labels_used"] is False
    assert result["kendall_tau"]["all"]["cifar10"] == pytest.approx(0.6792139628834474, abs=1e-4)  # float sums move with threads


@pytest.mark.real_data
def test_cli_train_writes_weights_and_card_and_resumes(tmp_path, capsys):
    out = tmp_path / "tiny.pt"
    selection = tmp_path / "selection.json"
    selection.write_text(json.dumps({"rule": "highest mean LOBO tau", "chosen": "short, task mean"}))
    args = ["train", "--target", "nb201", "--sources", "nb101", "bench:transnas_micro:mean:40", "--out", str(out), "--members", "1"]
    args += ["--epochs", "2", "--hidden", "8", "--selection", str(selection)]
    assert cli.main(args) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert [s["name"] for s in card["sources"]] == ["nb101:naslib500+official30", "transnas_micro:mean"]
    assert card["sources"][1]["n"] == 40 and card["nb201_labels_used"] is False
    assert card["selection"]["chosen"] == "short, task mean"
    assert (tmp_path / "tiny.ckpt" / "member0" / "checkpoint.pt").exists()
    assert cli.main([*args, "--resume"]) == 0  # finished run: resume just reloads it
    assert np.isfinite(TGProxy.load(out).score([BEST_NB201])).all()


@pytest.mark.real_data
@pytest.mark.parametrize("layer", ["gin", "gat"])
def test_cli_train_with_another_layer_round_trips_it(tmp_path, layer):
    out = tmp_path / f"{layer}.pt"
    args = ["train", "--target", "nb201", "--sources", "bench:transnas_micro:mean:40", "--out", str(out), "--members", "1"]
    assert cli.main([*args, "--epochs", "2", "--hidden", "8", "--layer", layer]) == 0
    assert json.loads(out.with_suffix(".json").read_text())["config"]["layer"] == layer
    proxy = TGProxy.load(out)
    assert proxy.config.layer == layer and np.isfinite(proxy.score([BEST_NB201])).all()


def test_cli_train_refuses_target_labels(capsys):
    assert cli.main(["train", "--target", "nb201", "--sources", "nb201", "--out", "x.pt"]) == 2
    assert "refusing to train a zero-shot nb201 model on nb201 labels" in capsys.readouterr().err


def test_a_size_prior_scores_each_cell_on_its_own_and_survives_save_and_load(small_proxy, tmp_path):
    from dataclasses import replace

    from tgnas.tg.ensemble import reference_size_prior
    from tgnas.tg.size_prior import blend

    prior = reference_size_prior(small_proxy, 0.5, cells=300)
    assert len(prior.reference_scores) < 300  # the reference's cells without a path are left out
    sized = replace(small_proxy, size_prior=prior, card=dict(small_proxy.card))
    space = create("nb201")
    cells = [space.sample(seed) for seed in range(40)] + [space.parse(NO_PATH)]
    together = sized.score(cells)
    alone = np.array([sized.score([cell])[0] for cell in cells])
    # a fixed reference: no cell's score depends on the others (beyond the network's own float noise)
    np.testing.assert_allclose(together, alone, atol=1e-3)
    assert together[-1] == NO_PATH_SCORE
    # on its own reference sample the prior is the blend of that set
    graphs = [space.to_graph(space.sample(rng)) for rng in [np.random.default_rng(0)] for _ in range(300)]
    tg, sizes = small_proxy.score_graphs(graphs), np.array([g.features["params_M"] for g in graphs])
    np.testing.assert_allclose(sized.score_graphs(graphs), blend(tg, sizes, 0.5), atol=1e-12)
    # graphs without a parameter count (a pruning search's supernets) keep the TG order
    unsized = [ArchGraph(g.ops, g.adjacency, g.space) for g in graphs[:60] if g.has_path()]
    order = np.argsort(small_proxy.score_graphs(unsized), kind="stable")
    np.testing.assert_array_equal(np.argsort(sized.score_graphs(unsized), kind="stable"), order)
    path = sized.save(tmp_path / "sized.pt")
    assert json.loads(path.with_suffix(".json").read_text())["size_prior"] == {
        "weight": 0.5,
        "kind": "params",
        "reference_cells": len(prior.reference_scores),
    }
    np.testing.assert_array_equal(TGProxy.load(path).score(cells), together)
    assert TGProxy.load(small_proxy.save(tmp_path / "plain.pt")).size_prior is None


def test_a_flops_prior_blends_with_the_flops_and_keeps_its_kind_through_save_and_load(small_proxy, tmp_path):
    from dataclasses import replace

    from tgnas.tg.ensemble import reference_size_prior
    from tgnas.tg.size_prior import blend

    prior = reference_size_prior(small_proxy, 0.5, "flops", cells=300)
    sized = replace(small_proxy, size_prior=prior, card=dict(small_proxy.card))
    space = create("nb201")
    graphs = [space.to_graph(space.sample(rng)) for rng in [np.random.default_rng(0)] for _ in range(300)]
    tg, flops = small_proxy.score_graphs(graphs), np.array([g.features["flops_M"] for g in graphs])
    np.testing.assert_allclose(sized.score_graphs(graphs), blend(tg, flops, 0.5), atol=1e-12)
    # NB201's FLOPs order its cells as its parameter counts do, so graphs that carry FLOPs alone tell
    # which one the prior reads (a parameter-count prior would rank them by the TG score alone)
    flops_only = [ArchGraph(g.ops, g.adjacency, g.space, {"flops_M": g.features["flops_M"]}) for g in graphs]
    np.testing.assert_allclose(sized.score_graphs(flops_only), blend(tg, flops, 0.5), atol=1e-12)
    loaded = TGProxy.load(sized.save(tmp_path / "flops.pt"))
    assert loaded.size_prior.kind == "flops" and loaded.card["size_prior"]["kind"] == "flops"
    np.testing.assert_array_equal(loaded.score_graphs(graphs[:20]), sized.score_graphs(graphs[:20]))


def test_cli_train_refuses_a_size_prior_the_target_cannot_have(capsys, tmp_path):
    base = ["train", "--sources", "nb301", "--out", str(tmp_path / "x.pt")]
    assert cli.main([*base, "--target", "nb201", "--size-weight", "1"]) == 2
    assert "size_weight must be a number in [0, 1), got 1.0" in capsys.readouterr().err
    assert cli.main([*base, "--target", "transnas_micro", "--size-weight", "0.25"]) == 2
    message = "the transnas_micro space does not provide an analytic parameter count, which a size prior (--size-weight) needs"
    assert message in capsys.readouterr().err
    assert cli.main([*base, "--target", "nb201", "--size-weight", "0.25", "--size-kind", "watts"]) == 2
    assert "unknown size kind 'watts'; accepted: params, flops" in capsys.readouterr().err
    assert cli.main([*base, "--target", "nb101", "--size-weight", "0.25", "--size-kind", "flops"]) == 2
    message = "the nb101 space does not provide analytic FLOPs, which a size prior (--size-weight, --size-kind flops) needs"
    assert message in capsys.readouterr().err
