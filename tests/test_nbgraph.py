"""NAS-Bench-Graph: the `nbgraph` space against the package's own encoding, and the benchmark's tables.

The package (``nas-bench-graph``, a pinned dependency) is the golden reference: its ``valid_hash``
says which encodings are one architecture, its ``light`` pickles are the benchmark.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from nas_bench_graph import Arch, anchors, gnn_list, gnn_list_proteins, light_read, link_list
from scipy.stats import kendalltau

from tgnas import benchmarks, spaces
from tgnas.benchmarks.nbgraph import DATASETS, NBGraphBenchmark
from tgnas.spaces.nbgraph import LINK_LISTS, N_ARCHS, NBGRAPH_OPS, NBGraphArch, NBGraphSpace

README_ARCH = "0-1-2-1:gcn,gin,fc,cheb"  # the package README's example, input→gcn→gin→fc and gcn→cheb
README_CANONICAL = "0-1-1-2:gcn,gin,cheb,fc"
README_KEY = 61237


@pytest.fixture(scope="module")
def space():
    return NBGraphSpace()


@pytest.fixture(scope="module")
def cells(space):
    return space.all_cells()


@pytest.fixture(scope="module")
def bench():
    return NBGraphBenchmark()


def every_encoding():
    """All 24 link lists × 9⁴ op tuples but the all-skip ones."""
    for links in itertools.product(*(range(node) for node in range(1, 5))):
        for ops in itertools.product(gnn_list, repeat=4):
            if ops.count("skip") < 4:
                yield links, ops


def package_key(links, ops) -> int:
    return Arch(list(links), list(ops)).valid_hash()


def encoding(text: str) -> tuple[list[int], list[str]]:
    """The links and ops a string spells, as written (not canonicalised)."""
    links, ops = text.split(":")
    return [int(link) for link in links.split("-")], ops.split(",")


# -- the encoding, against the package ---------------------------------------------------------------
def test_op_names_and_link_lists_are_the_packages():
    assert NBGRAPH_OPS == tuple(gnn_list) == ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
    assert tuple(map(tuple, link_list)) == LINK_LISTS


def test_the_readme_example_and_its_reordering_are_one_architecture_with_the_packages_key():
    arch = NBGraphArch.parse(README_ARCH)
    assert arch == NBGraphArch.parse("0-1-1-3:gcn,cheb,gin,fc") == NBGraphArch((0, 1, 2, 1), ("gcn", "gin", "fc", "cheb"))
    # the README calls 0-1-1-2:gcn,cheb,gin,fc the same architecture, but there fc reads cheb; the package agrees it differs
    assert (
        NBGraphArch.parse("0-1-1-2:gcn,cheb,gin,fc").benchmark_key == package_key((0, 1, 1, 2), ("gcn", "cheb", "gin", "fc")) != README_KEY
    )
    assert str(arch) == README_CANONICAL and arch.links == (0, 1, 1, 2) and arch.ops == ("gcn", "gin", "cheb", "fc")
    assert arch.benchmark_key == README_KEY == package_key((0, 1, 2, 1), ("gcn", "gin", "fc", "cheb"))


@pytest.mark.parametrize("anchor", anchors, ids=lambda anchor: ",".join(anchor.ops))
def test_the_packages_anchor_archs_get_its_keys(anchor):
    assert NBGraphArch(tuple(anchor.link), tuple(anchor.ops)).benchmark_key == anchor.valid_hash()


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        ("0-0-0-0:gcn,gat,fc,sage", "0-0-0-0:sage,fc,gat,gcn", "siblings are unordered"),
        ("0-1-1-1:gcn,gin,skip,fc", "0-1-1-1:gcn,fc,gin,skip", "siblings are unordered"),
        ("0-1-2-3:gcn,skip,gin,fc", "0-1-2-3:skip,gcn,gin,fc", "a skip between two layers changes nothing"),
        ("0-1-2-3:gcn,gin,fc,skip", "0-1-2-3:skip,gcn,gin,fc", "a skip leaf under a single parent is that parent's output"),
        ("0-0-2-3:skip,gcn,gin,fc", "0-1-2-3:skip,gcn,gin,fc", "a skip leaf carrying the raw features counts as absent"),
        ("0-1-1-2:gat,skip,gcn,gin", "0-1-2-2:skip,gat,gcn,gin", "a skip's child reads the skip's parent"),
    ],
)
def test_encodings_of_one_network_are_equal_and_share_the_packages_key(first, second, why):
    a, b = NBGraphArch.parse(first), NBGraphArch.parse(second)
    assert a == b and hash(a) == hash(b) and str(a) == str(b), why
    assert a.benchmark_key == package_key(*encoding(first)) == package_key(*encoding(second))


def test_a_residual_skip_leaf_and_a_repeated_output_are_different_networks():
    plain = NBGraphArch.parse("0-1-2-3:skip,gcn,gin,fc")
    residual = NBGraphArch.parse("0-1-1-2:gcn,skip,gin,fc")  # gcn's output reaches the output beside gin→fc
    twice = NBGraphArch.parse("0-1-1-1:gcn,skip,skip,gin")  # gcn's output reaches it twice, beside gin
    once = NBGraphArch.parse("0-1-2-2:skip,gcn,skip,gin")
    assert len({plain, residual, twice, once}) == 4
    assert len({arch.benchmark_key for arch in (plain, residual, twice, once)}) == 4


def test_canonical_form_splits_a_sample_of_encodings_like_the_package():
    encodings = list(every_encoding())
    for index in np.random.default_rng(0).choice(len(encodings), size=3000, replace=False):
        links, ops = encodings[index]
        assert NBGraphArch(links, ops).benchmark_key == package_key(links, ops), (links, ops)


@pytest.mark.slow
def test_canonical_form_splits_every_encoding_like_the_package():
    count = 0
    for links, ops in every_encoding():
        assert NBGraphArch(links, ops).benchmark_key == package_key(links, ops), (links, ops)
        count += 1
    assert count == 24 * 9**4 - 24


def test_all_cells_are_exactly_the_benchmarks_keys_in_key_order(cells):
    keys = [arch.benchmark_key for arch in cells]
    assert len(cells) == N_ARCHS == 26206 == len(set(cells))
    assert keys == sorted(light_read("cora"))
    assert all(arch.links in LINK_LISTS for arch in cells)


def test_parse_format_round_trip_on_every_architecture(space, cells):
    texts = [space.format(arch) for arch in cells]
    assert len(set(texts)) == N_ARCHS
    assert all(space.parse(text) == arch for text, arch in zip(texts, cells))


# -- graphs ----------------------------------------------------------------------------------------
def test_graph_of_the_readme_example(space):
    graph = space.to_graph(space.parse(README_ARCH))
    assert graph.ops == ("input", "gcn", "gin", "cheb", "fc", "output") and graph.space == "nbgraph"
    assert graph.edges() == [(0, 1), (1, 2), (1, 3), (2, 4), (3, 5), (4, 5)]
    assert graph.source == README_CANONICAL and graph.has_path()
    assert dict(graph.features) == {"depth": 3.0, "parametric_ops": 4.0, "message_passing_ops": 3.0}


def test_skip_stays_an_operator_node_and_counts_for_no_depth(space):
    graph = space.to_graph(space.parse("0-1-2-2:skip,gcn,skip,fc"))  # gcn feeds fc and, through a skip leaf, the output
    assert graph.ops == ("input", "skip", "gcn", "fc", "skip", "output")
    assert graph.edges() == [(0, 1), (1, 2), (2, 3), (2, 4), (3, 5), (4, 5)]
    assert dict(graph.features) == {"depth": 2.0, "parametric_ops": 2.0, "message_passing_ops": 1.0}


def test_graph_invariants_on_a_sample_of_architectures(space, cells):
    for index in np.random.default_rng(1).choice(len(cells), size=500, replace=False):
        arch = cells[index]
        graph = space.to_graph(arch)
        assert graph.n_nodes == 6 and graph.ops[1:5] == arch.ops and graph.source == str(arch)
        assert graph.n_edges == 4 + len(arch.leaves()) and graph.has_path() and graph.pruned() == graph
        assert all(graph.adjacency[link, node] for node, link in enumerate(arch.links, start=1))
        assert 1 <= graph.features["depth"] <= graph.features["parametric_ops"] <= 4


# -- moves, sampling, genes ------------------------------------------------------------------------
def test_neighbours_are_distinct_one_move_changes(space):
    arch = space.parse(README_ARCH)
    near = space.neighbours(arch)
    assert arch not in near and len(near) == len(set(near))
    for position, op in itertools.product(range(4), NBGRAPH_OPS):
        if op != arch.ops[position]:
            assert NBGraphArch(arch.links, arch.ops[:position] + (op,) + arch.ops[position + 1 :]) in near
    assert NBGraphArch.parse("0-1-1-1:gcn,gin,cheb,fc") in near  # fc moved from gin to gcn
    assert NBGraphArch.parse("0-0-0-0:skip,skip,skip,gcn") not in space.neighbours(NBGraphArch.parse("0-0-0-0:skip,skip,skip,gcn"))


def test_sample_is_reproducible_and_covers_many_architectures(space):
    assert space.sample(3) == space.sample(np.random.default_rng(3))
    rng = np.random.default_rng(0)
    assert len({space.sample(rng) for _ in range(300)}) > 200
    assert space.mutate(space.sample(4), 5) != space.sample(4)


def test_genes_decode_to_valid_architectures_even_when_they_say_all_skip(space):
    assert space.gene_count() == 7
    rng = np.random.default_rng(0)
    for genes in rng.random((200, 7)):
        assert isinstance(space.decode_genes(genes), NBGraphArch)
    all_skip = space.decode_genes(np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]))
    assert all_skip == NBGraphArch.parse("0-0-0-0:skip,skip,skip,fc")
    assert space.decode_genes(np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0])) == NBGraphArch.parse("0-1-2-3:gat,gat,gat,gat")
    with pytest.raises(ValueError, match=r"a nbgraph individual is 7 genes in \[0, 1\]"):
        space.decode_genes(np.zeros(8))


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0-1-1-2:gcn,gin,cheb,gcnn", r"unknown nbgraph op 'gcnn' on node 4; accepted: gat, gcn, gin, cheb, sage, arma, graph, fc, skip"),
        ("0-1-1:gcn,gin,cheb,fc", r"has 4 links and 4 ops \(one per computing node\), got 3 and 4"),
        ("0-1-1-2:gcn,gin,cheb", r"has 4 links and 4 ops \(one per computing node\), got 4 and 3"),
        ("0-1-3-2:gcn,gin,cheb,fc", r"node 3 of an nbgraph architecture reads 0 \(the input\) or an earlier node 1..2, got link 3"),
        ("1-1-1-2:gcn,gin,cheb,fc", r"node 1 of an nbgraph architecture reads 0 \(the input\) or an earlier node 1..0, got link 1"),
        (
            "0-a-1-2:gcn,gin,cheb,fc",
            r"link 'a' in nbgraph architecture string .* is not a node number; expected e.g. 0-1-1-2:gcn,gin,cheb,fc",
        ),
        ("0-1-1-2 gcn,gin,cheb,fc", r"must be LINKS:OPS, e.g. 0-1-1-2:gcn,gin,cheb,fc"),
        ("0-1-2-3:skip,skip,skip,skip", r"of skips only has no output"),
    ],
)
def test_bad_strings_get_one_line_errors_naming_what_is_accepted(space, text, message):
    with pytest.raises(ValueError, match=message):
        space.parse(text)


def test_bad_values_get_one_line_errors():
    with pytest.raises(ValueError, match="an nbgraph architecture string must be a str, got int"):
        NBGraphArch.parse(3)
    with pytest.raises(ValueError, match="got link True"):
        NBGraphArch((0, True, 0, 0), ("gcn",) * 4)
    with pytest.raises(ValueError, match="unknown nbgraph op 1 on node 1"):
        NBGraphArch((0, 0, 0, 0), (1, "gcn", "gcn", "gcn"))
    with pytest.raises(ValueError, match="a sequence of 4 links and one of 4 ops, got 0 and"):
        NBGraphArch(0, ("gcn",) * 4)


# -- the benchmark ---------------------------------------------------------------------------------
def test_registry_lines():
    assert "nbgraph" in spaces.NAMES and isinstance(spaces.create("nbgraph"), NBGraphSpace)
    bench = benchmarks.create("nbgraph")
    assert isinstance(bench, NBGraphBenchmark) and bench.space == "nbgraph" and bench.datasets == DATASETS
    assert DATASETS == ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")


def test_every_dataset_but_proteins_measures_every_architecture(bench, cells):
    assert len(bench) == N_ARCHS and bench.archs == [str(arch) for arch in cells]
    for dataset in DATASETS[:-1]:
        assert not np.isnan(bench.labels(dataset)).any(), dataset
    measured = ~np.isnan(bench.labels("proteins"))
    assert int(measured.sum()) == 2021 == len(light_read("proteins"))
    np.testing.assert_array_equal(measured, [set(arch.ops) <= set(gnn_list_proteins) for arch in cells])
    for column in (bench.train_labels("proteins"), bench.zero_cost("proteins", "params"), bench.latency("proteins")):
        np.testing.assert_array_equal(~np.isnan(column), measured)


def test_the_readme_example_on_cora_and_a_proteins_cell(bench):
    cora = bench.archs.index(README_CANONICAL)
    assert bench.labels("cora")[cora] == pytest.approx(0.8046666666666668) == light_read("cora")[README_KEY]["perf"]
    assert bench.train_labels("cora")[cora] == pytest.approx(0.79) == light_read("cora")[README_KEY]["valid_perf"]
    assert bench.zero_cost("cora", "params")[cora] == pytest.approx(0.765191) == light_read("cora")[README_KEY]["para"]
    assert bench.latency("cora")[cora] == light_read("cora")[README_KEY]["latency"]
    assert np.isnan(bench.labels("proteins")[cora])  # cheb and gin are not in proteins' op list
    star = NBGraphArch.parse("0-0-0-0:gcn,sage,arma,fc")
    assert star.benchmark_key == 1457
    assert (
        bench.labels("proteins")[bench.archs.index(str(star))] == pytest.approx(0.7504814235200724) == light_read("proteins")[1457]["perf"]
    )


def test_labels_are_higher_is_better_fractions(bench):
    for dataset in DATASETS:
        test, valid = bench.labels(dataset), bench.train_labels(dataset)
        measured = ~np.isnan(test)
        for values in (test[measured], valid[measured]):
            assert values.min() > 0 and values.max() < 1, dataset
        assert kendalltau(test[measured], valid[measured])[0] > 0.3, dataset


def test_params_is_the_only_proxy_and_latency_stays_apart(bench):
    assert all(bench.zero_cost_names(dataset) == ("params",) for dataset in DATASETS)
    with pytest.raises(ValueError, match="has no precomputed proxy 'latency' on 'cora'; accepted: params"):
        bench.zero_cost("cora", "latency")
    with pytest.raises(ValueError, match="has no dataset 'Cora'; accepted: cora, citeseer"):
        bench.latency("Cora")
    assert (bench.zero_cost("citeseer", "params") > 0).all() and bench.has_path().all()


def test_returned_arrays_are_copies(bench):
    labels = bench.labels("cora")
    labels[:] = 0
    assert bench.labels("cora").max() > 0.8
