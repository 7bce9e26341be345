"""Operator descriptions and embeddings (paper §3.2)."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas.spaces import darts, nb101, nb201
from tgnas.tg import embed
from tgnas.tg.describe import LENGTHS, describe, parse_operator
from tgnas.tg.embed import OperatorEmbedder, PCAReduction, pca_vocabulary


@pytest.mark.parametrize(
    "name, short",
    [
        ("conv7x7", "7x7 convolution"),
        ("dil_conv_7x7", "7x7 dilated convolution with dilation 2"),
        ("mbconv_e6_k5", "5x5 inverted residual convolution block with expansion ratio 6"),
        ("sep_conv_9x9", "9x9 separable convolution"),
        ("conv_3x3_d4", "3x3 convolution"),
        ("maxpool5x5", "5x5 max pooling"),
        ("avg_pool_3x3", "3x3 average pooling"),
        ("skip_connect", "identity"),
        ("none", "zero"),
        ("swish_gate", "swish gate"),
    ],
)
def test_invented_and_known_operators_get_descriptions_from_their_names(name, short):
    assert describe(name, "short") == short


def test_the_same_operator_under_two_spaces_names_reads_the_same():
    # what lets a model trained on NB101 transfer to NB201
    assert describe("conv3x3-bn-relu") == describe("nor_conv_3x3") == "3x3 convolution"
    assert describe("maxpool3x3") == describe("max_pool_3x3")
    # the medium sentence keeps the different normalisation order
    assert "followed by batch normalization and a ReLU" in describe("conv3x3-bn-relu", "medium")
    assert describe("nor_conv_3x3", "medium").startswith("A ReLU activation followed by a 3x3 convolution")


def test_transnas_operators_read_like_their_nb201_twins():
    # TransNAS-Bench-101 micro names its ops after their order (ReLU, conv, BN); NB201's "nor_" means the same
    assert describe("relu_conv3x3_bn") == describe("nor_conv_3x3")
    assert describe("relu_conv1x1_bn", "medium") == describe("nor_conv_1x1", "medium")
    assert describe("zero", "long") == describe("none", "long")
    assert describe("identity") == describe("skip_connect") == describe("skip")


@pytest.mark.parametrize(
    "name, short",
    [
        ("resblock", "residual block"),
        ("resblock_widen", "residual block with doubled channels"),
        ("resblock_stride2", "residual block with stride 2"),
        ("resblock_widen_stride2", "residual block with doubled channels and stride 2"),
    ],
)
def test_residual_stages_say_how_they_change_the_feature_map(name, short):
    assert describe(name) == short
    assert ("halves the resolution" in describe(name, "medium")) == ("stride" in name)


def test_graph_layers_are_distinct_message_passing_operators():
    layers = ["gat", "gcn", "gin", "cheb", "sage", "arma", "graph"]
    for length in LENGTHS:
        texts = [describe(op, length) for op in layers]
        assert len(set(texts)) == len(layers), length
    assert all("messages between neighbouring nodes" in describe(op, "medium") for op in layers)
    assert describe("arma", "medium").startswith("An ARMA")
    assert describe("fc") == "fully connected layer"


def test_traits_of_an_inverted_residual_block():
    traits = parse_operator("mbconv_e3_k7")
    assert (traits.kind, traits.kernel, traits.expansion) == ("mbconv", 7, 3)
    assert parse_operator("dil_conv_5x5").dilation == 2


def test_every_operator_of_the_three_spaces_has_three_distinct_growing_descriptions():
    for op in {*nb101.NB101_OPS, *nb201.NB201_OPS, *darts.DARTS_OPS, "input", "output", "concat"}:
        texts = [describe(op, length) for length in LENGTHS]
        assert len(set(texts)) == 3, op
        assert len(texts[0]) < len(texts[1]) < len(texts[2]), op


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_empty_or_non_string_operator_names_are_refused(bad):
    with pytest.raises(ValueError, match="non-empty string"):
        describe(bad)


def test_unknown_length_lists_the_accepted_ones():
    with pytest.raises(ValueError, match="short, medium, long"):
        describe("conv3x3", "tiny")


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return OperatorEmbedder(cache=tmp_path_factory.mktemp("embeddings"))


def _cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_embeddings_are_384_d_and_semantically_ordered(embedder):
    vectors = embedder.embed(["conv3x3-bn-relu", "conv5x5", "max_pool_3x3", "nor_conv_3x3"])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    # the paper's premise: conv3x3 is nearer to conv5x5 than to max pooling
    assert _cosine(vectors[0], vectors[1]) > _cosine(vectors[0], vectors[2])
    np.testing.assert_array_equal(vectors[0], vectors[3])


def test_a_texts_embedding_does_not_depend_on_what_is_embedded_with_it_or_on_threads():
    # a trained model amplifies last-bit differences of its input vectors: batch padding and the thread
    # count used to change them (≈1e-7), so two runs of one training gave different models
    import torch

    texts = [describe(op, length) for op in ("conv3x3-bn-relu", "gcn", "sep_conv_5x5") for length in ("short", "long")]
    assert max(map(len, texts)) > 4 * min(map(len, texts))  # in one batch the short texts are padded
    together = OperatorEmbedder(cache=False).embed_texts(texts)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1 if threads > 1 else 2)
        alone = np.stack([OperatorEmbedder(cache=False).embed_texts([text])[0] for text in reversed(texts)])[::-1]
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(together, alone)
    assert torch.get_num_threads() == threads  # encoding leaves the caller's thread count as it was


def test_loading_the_transformer_shows_no_progress_bar(monkeypatch, capfd):
    from transformers.utils import logging as transformers_logging

    monkeypatch.setattr(embed, "_LOADED", {})  # load afresh, as a new process does
    before = transformers_logging.is_progress_bar_enabled()
    embed._load_transformer(OperatorEmbedder().model)
    assert "Loading weights" not in capfd.readouterr().err
    assert transformers_logging.is_progress_bar_enabled() == before  # the library's own setting is left as it was


def test_cached_embeddings_need_no_transformer(embedder, monkeypatch):
    first = embedder.embed(["sep_conv_3x3"])
    fresh = OperatorEmbedder(cache=embedder._cache_file.parent)

    def refuse(model):
        raise AssertionError("the transformer was loaded although the embedding was cached")

    monkeypatch.setattr(embed, "_load_transformer", refuse)
    np.testing.assert_array_equal(fresh.embed(["sep_conv_3x3"]), first)


def test_pca_is_reproducible_and_64_d(embedder):
    reduced = embedder.with_pca(64)
    again = embedder.with_pca(64)
    assert reduced.dim == 64 and reduced.key == "all-MiniLM-L6-v2/short/pca64"
    np.testing.assert_array_equal(reduced.pca.components, again.pca.components)
    assert reduced.embed(["conv7x7"]).shape == (1, 64)
    assert len(pca_vocabulary()) > 64


def test_a_mixed_embedding_is_the_mean_of_the_three_lengths_and_survives_pca(embedder):
    ops = ["resblock_stride2", "gat", "nor_conv_3x3"]
    mixed = OperatorEmbedder(length="mixed", cache=embedder._cache_file.parent)
    per_length = [OperatorEmbedder(length=length, cache=embedder._cache_file.parent).embed(ops) for length in LENGTHS]
    np.testing.assert_allclose(mixed.embed(ops), np.mean(per_length, axis=0), rtol=1e-6)
    assert mixed.embed(ops).dtype == np.float32 and mixed.key == "all-MiniLM-L6-v2/mixed"
    assert mixed.descriptions(["gat"]) == [describe("gat", length) for length in LENGTHS]  # what a saved proxy stores
    reduced = mixed.with_pca(8)
    assert reduced.key == "all-MiniLM-L6-v2/mixed/pca8" and reduced.embed(ops).shape == (3, 8)
    with pytest.raises(ValueError, match="accepted: short, medium, long, mixed"):
        OperatorEmbedder(length="all", cache=False)


def test_pca_refuses_too_few_samples_and_wrong_sizes():
    with pytest.raises(ValueError, match="at least 64 embeddings"):
        PCAReduction.fit(np.zeros((10, 384)), 64)
    pca = PCAReduction.fit(np.random.default_rng(0).normal(size=(100, 384)), 64)
    with pytest.raises(ValueError, match="fitted on 384-d"):
        pca.transform(np.zeros((2, 768)))
    small = PCAReduction.fit(np.random.default_rng(0).normal(size=(100, 80)), 8)
    with pytest.raises(ValueError, match="PCA expects 80-d"):
        OperatorEmbedder(pca=small, cache=False)


def test_unknown_model_and_bad_primed_vectors_are_refused(embedder):
    with pytest.raises(ValueError, match="accepted: all-MiniLM-L6-v2"):
        OperatorEmbedder("word2vec")
    with pytest.raises(ValueError, match="another embedding model"):
        embedder.prime(["3x3 convolution"], np.zeros((1, 768)))


def test_one_hot_codes_give_every_unseen_operator_the_same_code():
    one_hot = embed.OneHotEmbedder(["conv3x3-bn-relu", "maxpool3x3", "input", "output"])
    vectors = one_hot.embed(["conv3x3-bn-relu", "nor_conv_3x3", "gcn", "input"])
    assert vectors.shape == (4, one_hot.dim) == (4, 5)
    assert (vectors.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(vectors[1], vectors[2])  # two different unseen ops: one code
    assert not np.array_equal(vectors[0], vectors[1])  # a text embedder would put these together
    assert one_hot.key != embed.OneHotEmbedder(["input", "output"]).key
    with pytest.raises(ValueError, match="at least one operator"):
        embed.OneHotEmbedder([])
