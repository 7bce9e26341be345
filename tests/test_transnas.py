"""TransNAS-Bench-101 micro and macro: the two spaces, their loader and their benchmarks.

The space tests need no data. The ``real_data`` tests check the NASLib files against SOURCES.md:
counts, one known record, the encodings (op code 3 helps class_object, op code 0 cuts cells off,
NASLib's proxies fail exactly where our graphs have no path), the label conventions and the rule
that macro tuples pad with trailing zeros only.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy.stats import kendalltau

from tgnas import benchmarks, spaces
from tgnas.data.derive import gzip_bytes
from tgnas.data.integrity import DataFileError
from tgnas.data.paths import ENV_VAR
from tgnas.data.transnas import CELLS, FILES, PROXIES, TASKS, load_transnas
from tgnas.spaces.cell_dag import FOUR_NODE_EDGES, edge_op_graph
from tgnas.spaces.graph import INPUT, OUTPUT
from tgnas.spaces.nb201 import NB201Cell
from tgnas.spaces.transnas_macro import MACRO_OPS, TransNASMacroNet, TransNASMacroSpace
from tgnas.spaces.transnas_micro import MICRO_OPS, N_CELLS, TransNASMicroCell, TransNASMicroSpace

MICRO = TransNASMicroSpace()
MACRO = TransNASMacroSpace()
MICRO_CELLS = MICRO.all_cells()
MACRO_NETS = MACRO.all_cells()
#: NB201's name of each micro op code: the same DAG, so the same graph up to op names
AS_NB201 = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")


def _one_line_error(call, match: str) -> str:
    with pytest.raises(ValueError, match=match) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- micro space -----------------------------------------------------------------------------------
def test_micro_strings_tuples_and_codes_round_trip_for_every_cell():
    assert len(MICRO_CELLS) == N_CELLS == 4096 == len(set(MICRO_CELLS))
    assert [cell.code for cell in MICRO_CELLS] == list(range(N_CELLS))
    for cell in MICRO_CELLS:
        assert MICRO.parse(MICRO.format(cell)) == cell
        assert TransNASMicroCell.from_naslib_tuple(cell.to_naslib_tuple()) == cell
    cell = TransNASMicroCell.from_naslib_tuple("(1, 0, 0, 2, 1, 0)")
    assert str(cell) == "64-41414-1_00_210" and cell.ops == ("identity", "zero", "zero", "relu_conv1x1_bn", "identity", "zero")
    assert MICRO.parse("  64-41414-3_33_333 ") == TransNASMicroCell((3,) * 6)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("64-41413-1_00_210", r"must start with '64-41414-'"),
        ("64-41414-1_000_21", r"3 '_'-separated groups of 1, 2 and 3 op codes"),
        ("64-41414-1_00_2100", r"3 '_'-separated groups"),
        ("64-41414-1_04_210", r"bad TransNAS micro op code '4' in '64-41414-1_04_210'; accepted: 0=zero, 1=identity"),
        ("64-41414-1_0x_210", r"bad TransNAS micro op code 'x'"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", r"must start with '64-41414-'"),
    ],
)
def test_micro_bad_strings_are_one_line_errors_naming_the_problem(text, match):
    _one_line_error(lambda: MICRO.parse(text), match)


def test_micro_bad_codes_and_tuples_are_refused():
    _one_line_error(lambda: TransNASMicroCell((0, 1, 2, 3, 4, 0)), r"bad TransNAS micro op code 4 on edge 1->3; accepted: 0=zero")
    _one_line_error(lambda: TransNASMicroCell((0, 1, 2)), r"has 6 edges, got 3 op codes")
    _one_line_error(lambda: TransNASMicroCell((True, 1, 2, 3, 0, 0)), r"bad TransNAS micro op code True")
    _one_line_error(lambda: TransNASMicroCell.from_naslib_tuple("(1, 0, 0)"), r"has 6 entries, got 3")
    _one_line_error(lambda: TransNASMicroCell.from_naslib_tuple("(1, 0, a, 0, 0, 0)"), r"token 'a'")
    _one_line_error(lambda: MICRO.parse(3), r"must be a str, got int")
    _one_line_error(lambda: MICRO.to_graph("64-41414-1_00_210"), r"got a string; call space.parse\(text\) first")


def test_micro_graphs_are_nb201s_conversion_with_micro_op_names():
    """The shared edge→node rule: every micro graph is the NB201 graph of the same cell, ops renamed."""
    rename = dict(zip(AS_NB201, MICRO_OPS)) | {INPUT: INPUT, OUTPUT: OUTPUT}
    for cell in MICRO_CELLS:
        graph = MICRO.to_graph(cell)
        nb201 = NB201Cell(tuple(AS_NB201[code] for code in cell.codes)).to_graph()
        assert graph.ops == tuple(rename[op] for op in nb201.ops)
        np.testing.assert_array_equal(graph.adjacency, nb201.adjacency)
        assert graph.space == "transnas_micro" and graph.source == str(cell) and dict(graph.features) == {}
        assert graph.has_path() == cell.has_path() and "zero" not in graph.ops


def test_the_shared_edge_to_node_conversion_checks_its_input():
    ops = ("zero",) * 6
    full = edge_op_graph(FOUR_NODE_EDGES, ops, "zero", "transnas_micro", {}, "x", keep_zero=True)
    assert full.n_nodes == 8 and full.has_path()  # the fixed form wires zero nodes like any other
    assert edge_op_graph(FOUR_NODE_EDGES, ops, "zero", "transnas_micro", {}, "x").ops == (INPUT, OUTPUT)
    _one_line_error(lambda: edge_op_graph(FOUR_NODE_EDGES, ops[:5], "zero", "s", {}, "x"), r"6 edges needs 6 edge ops, got 5")
    unsorted = ((0, 1), (0, 3), (0, 2), (1, 2), (1, 3), (2, 3))
    _one_line_error(lambda: edge_op_graph(unsorted, ops, "zero", "s", {}, "x"), r"must be sorted by target node")


def test_micro_graph_golden_and_cut_off_cells():
    graph = MICRO.to_graph(MICRO.parse("64-41414-1_00_210"))
    # edge 0→1 identity, 0→3 conv1x1, 1→3 identity; the zero edges and nothing else go
    assert graph.ops == (INPUT, "identity", "relu_conv1x1_bn", "identity", OUTPUT)
    assert graph.edges() == [(0, 1), (0, 2), (1, 3), (2, 4), (3, 4)]
    cut = MICRO.to_graph(MICRO.parse("64-41414-3_33_000"))  # node 3 reads only zero edges
    assert cut.ops == (INPUT, OUTPUT) and cut.n_edges == 0 and not cut.has_path()
    assert sum(not cell.has_path() for cell in MICRO_CELLS) == 169  # 4,096 minus the cells with a live path


def test_micro_moves_sampling_and_genes():
    cell = MICRO.parse("64-41414-1_00_210")
    moves = MICRO.neighbours(cell)
    assert len(moves) == 18 == len(set(moves)) and cell not in moves
    assert all(sum(a != b for a, b in zip(move.codes, cell.codes)) == 1 for move in moves)
    assert MICRO.sample(7) == MICRO.sample(np.random.default_rng(7))
    assert MICRO.gene_count() == 6
    assert MICRO.decode_genes(np.zeros(6)) == TransNASMicroCell((0,) * 6)
    assert MICRO.decode_genes(np.ones(6)) == TransNASMicroCell((3,) * 6)
    assert MICRO.decode_genes(np.array([0.1, 0.3, 0.6, 0.9, 0.25, 0.5])).codes == (0, 1, 2, 3, 1, 2)
    _one_line_error(lambda: MICRO.decode_genes(np.full(6, 1.5)), r"a transnas_micro individual is 6 genes in \[0, 1\]")


# -- macro space -----------------------------------------------------------------------------------
def test_macro_space_is_the_benchmarks_3256_networks():
    assert len(MACRO_NETS) == 3256 == len(set(MACRO_NETS))
    expected = [
        stages
        for depth in (4, 5, 6)
        for stages in itertools.product(range(1, 5), repeat=depth)
        if 1 <= sum(code in (3, 4) for code in stages) <= 4 and 1 <= sum(code in (2, 4) for code in stages) <= 3
    ]
    assert [net.stages for net in MACRO_NETS] == expected
    for net in MACRO_NETS:
        assert MACRO.parse(MACRO.format(net)) == net
        assert TransNASMacroNet.from_naslib_tuple(net.to_naslib_tuple()) == net
    net = TransNASMacroNet.from_naslib_tuple("(1, 2, 4, 2, 0, 0)")
    assert str(net) == "64-1242-basic" and net.to_naslib_tuple() == (1, 2, 4, 2, 0, 0)
    assert (net.depth, net.widen_count, net.downsample_count) == (4, 3, 1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: MACRO.parse("64-1242"), r"must read 64-<block codes>-basic"),
        (lambda: MACRO.parse("64-1205-basic"), r"bad TransNAS macro block code '0' in '64-1205-basic'; accepted: 1=resblock, 2="),
        (lambda: MACRO.parse("64-124-basic"), r"has 4 to 6 stages, got 3"),
        (lambda: MACRO.parse("64-1242111-basic"), r"has 4 to 6 stages, got 7"),
        (lambda: MACRO.parse("64-1222-basic"), r"network 1222 has 0 downsampling stages \(codes 3, 4\); accepted: 1 to 4"),
        (lambda: MACRO.parse("64-3333-basic"), r"network 3333 has 0 widening stages \(codes 2, 4\); accepted: 1 to 3"),
        (lambda: MACRO.parse("64-22223-basic"), r"has 4 widening stages"),
        (lambda: MACRO.parse("64-333331-basic"), r"has 5 downsampling stages"),
        (lambda: TransNASMacroNet.from_naslib_tuple("(1, 2, 0, 4, 2, 0)"), r"has a stage after a 0 \(no stage\); zeros may only trail"),
        (lambda: TransNASMacroNet.from_naslib_tuple((1, 2, 4, 2)), r"has 6 entries, got 4"),
        (lambda: TransNASMacroNet((1, 2, 5, 2)), r"bad TransNAS macro block code 5"),
        (lambda: MACRO.to_graph(MICRO.sample(0)), r"a parsed transnas_macro architecture \(TransNASMacroNet\), got TransNASMicroCell"),
    ],
)
def test_macro_bad_input_is_one_line_errors_naming_the_rule(call, match):
    _one_line_error(call, match)


def test_macro_graph_is_a_chain_with_its_stage_counts():
    net = MACRO.parse("64-412314-basic")
    graph = MACRO.to_graph(net)
    stages = ("resblock_widen_stride2", "resblock", "resblock_widen", "resblock_stride2", "resblock", "resblock_widen_stride2")
    assert graph.ops == (INPUT, *stages, OUTPUT)
    assert graph.edges() == [(i, i + 1) for i in range(7)] and graph.has_path() and net.has_path()
    assert dict(graph.features) == {"depth": 6.0, "widen_count": 3.0, "downsample_count": 3.0}
    assert graph.space == "transnas_macro" and graph.source == "64-412314-basic"


def test_macro_neighbours_change_one_naslib_entry_and_stay_valid():
    net = MACRO.parse("64-1242-basic")
    moves = MACRO.neighbours(net)
    assert len(moves) == len(set(moves)) and net not in moves
    for move in moves:
        assert sum(a != b for a, b in zip(move.to_naslib_tuple(), net.to_naslib_tuple())) == 1
    # not 2242/4242/1422 (4 widening), 1212/1222 (no downsampling), 12422/12424, dropping a stage (depth 3), a gap
    assert sorted(map(str, moves)) == sorted(
        f"64-{codes}-basic" for codes in ("1142", "1232", "1241", "1243", "1244", "12421", "12423", "1342", "1442", "3242")
    )
    for other in MACRO_NETS[::97]:  # the same as searching the whole space for one-entry changes
        padded = other.to_naslib_tuple()
        expected = {n for n in MACRO_NETS if sum(a != b for a, b in zip(n.to_naslib_tuple(), padded)) == 1}
        assert set(MACRO.neighbours(other)) == expected


def test_macro_sampling_is_uniform_over_the_valid_networks():
    draws = [MACRO.sample(seed) for seed in range(200)]
    assert all(isinstance(net, TransNASMacroNet) for net in draws) and len(set(draws)) > 150
    assert MACRO.sample(3) == MACRO.sample(np.random.default_rng(3))


def test_macro_genes_decode_onto_every_network_exactly_once():
    """Depth × downsampling set × widening set is a bijection onto the space: the midpoints of every
    option triple decode to the 3,256 networks."""
    assert MACRO.gene_count() == 3
    decoded = []
    for depth_index, depth in enumerate((4, 5, 6)):
        downsample_sets = sum(len(list(itertools.combinations(range(depth), k))) for k in range(1, min(4, depth) + 1))
        widen_sets = sum(len(list(itertools.combinations(range(depth), k))) for k in range(1, 4))
        for d, w in itertools.product(range(downsample_sets), range(widen_sets)):
            genes = np.array([(depth_index + 0.5) / 3, (d + 0.5) / downsample_sets, (w + 0.5) / widen_sets])
            decoded.append(MACRO.decode_genes(genes))
    assert len(decoded) == 3256 and set(decoded) == set(MACRO_NETS)
    assert MACRO.decode_genes(np.zeros(3)).stages == (4, 1, 1, 1)
    assert MACRO.decode_genes(np.ones(3)).stages == (1, 1, 3, 4, 4, 4)
    _one_line_error(lambda: MACRO.decode_genes(np.zeros(6)), r"a transnas_macro individual is 3 genes in \[0, 1\]")


def test_both_spaces_and_benchmarks_are_registered():
    assert isinstance(spaces.create("transnas_micro"), TransNASMicroSpace)
    assert isinstance(spaces.create("transnas_macro"), TransNASMacroSpace)
    assert {"transnas_micro", "transnas_macro"} <= set(spaces.NAMES) & set(benchmarks.names())
    assert MICRO.ops == MICRO_OPS == ("zero", "identity", "relu_conv1x1_bn", "relu_conv3x3_bn")
    assert MACRO.ops == MACRO_OPS == ("resblock", "resblock_widen", "resblock_stride2", "resblock_widen_stride2")
    for space in (MICRO, MACRO):
        with pytest.raises(spaces.Unsupported, match="analytic parameter count"):
            space.params(space.sample(0))


# -- the loader on damaged files (synthetic, no data needed) ---------------------------------------
def _record(key: str, val: object = 40.0) -> dict:
    return {"idx": "0", "arch": key, "val_accuracy": val, **{proxy: {"score": 1.0, "time": 0.1} for proxy in PROXIES}}


def _micro_file(change=None) -> dict:
    keys = [str(cell.to_naslib_tuple()) for cell in MICRO_CELLS[: CELLS["micro"]["class_scene"]]]
    data = {task: {key: _record(key) for key in keys} for task in TASKS}
    if change:
        change(data)
    return data


def _gz(change=None) -> bytes:
    return gzip_bytes(json.dumps(_micro_file(change)).encode())


def _set(task: str, key_index: int, field: str, value: object):
    def change(data: dict) -> None:
        key = list(data[task])[key_index]
        data[task][key][field] = value

    return change


def _rename_first(task: str, new_key: str):
    def change(data: dict) -> None:
        first = next(iter(data[task]))
        data[task] = {(new_key if key == first else key): record for key, record in data[task].items()}

    return change


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (lambda: _gz()[:4000], r"is truncated"),
        (lambda: b"\x1f\x8bnot really gzip", r"is not gzip-compressed"),
        (lambda: b'{"plain": "json"}', r"is not gzip-compressed although its name ends in .gz"),
        (lambda: gzip_bytes(json.dumps({"class_scene": {}}).encode()), r"expected a JSON object with the tasks class_scene, class_object"),
        (lambda: _gz(lambda d: d["jigsaw"].popitem()), r"task jigsaw must map 711 op tuples to records, got 710"),
        (lambda: _gz(_rename_first("normal", "(1, 0, 0, 2, 1, 7)")), r"task normal: bad TransNAS micro op code 7"),
        (lambda: _gz(_set("normal", 3, "arch", "(0, 0, 0, 0, 0, 0)")), r"is not an object whose 'arch' repeats its key"),
        (lambda: _gz(_set("autoencoder", 5, "val_accuracy", "high")), r"val_accuracy of record .* is 'high', not a finite number"),
        (lambda: _gz(_set("autoencoder", 5, "val_accuracy", float("nan"))), r"is nan, not a finite number"),
        (lambda: _gz(_set("room_layout", 2, "snip", 3.0)), r"snip of record .* room_layout is 3.0, not a \{score, time\} object"),
        (lambda: _gz(_set("room_layout", 2, "nwot", {"time": 1})), r"nwot of record"),
        (lambda: _gz(), r"does not have the content pinned in the manifest"),
    ],
)
def test_a_damaged_micro_file_is_one_data_file_error_naming_it(tmp_path, monkeypatch, content, match):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    path = tmp_path / FILES["micro"]
    path.parent.mkdir(parents=True)
    path.write_bytes(content())
    with pytest.raises(DataFileError, match=match) as caught:
        load_transnas("micro")
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and f"tgnas data fetch --only {FILES['micro']}" in message


def test_a_macro_key_with_a_gap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    keys = [str(net.to_naslib_tuple()) for net in MACRO_NETS[:725]]
    keys[0] = "(1, 2, 0, 4, 2, 0)"
    data = {task: {key: _record(key) for key in keys[: CELLS["macro"][task]]} for task in TASKS}
    path = tmp_path / FILES["macro"]
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip_bytes(json.dumps(data).encode()))
    with pytest.raises(DataFileError, match=r"record \(1, 2, 0, 4, 2, 0\) of task class_scene: .*zeros may only trail"):
        load_transnas("macro")


def test_an_unknown_file_kind_names_the_accepted_ones():
    _one_line_error(lambda: load_transnas("meso"), r"unknown TransNAS-Bench-101 space 'meso'; accepted: micro, macro")


# -- real data ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def micro():
    return benchmarks.create("transnas_micro")


@pytest.fixture(scope="module")
def macro():
    return benchmarks.create("transnas_macro")


@pytest.mark.real_data
def test_the_files_hold_the_documented_cells_per_task():
    micro_tasks, macro_tasks = load_transnas("micro"), load_transnas("macro")
    assert tuple(micro_tasks) == tuple(macro_tasks) == TASKS
    assert {task: len(micro_tasks[task].archs) for task in TASKS} == dict.fromkeys(TASKS, 711)
    assert {task: len(macro_tasks[task].archs) for task in TASKS} == {task: 662 if task.startswith("class_") else 725 for task in TASKS}
    assert all(set(micro_tasks[task].archs) == set(micro_tasks["class_scene"].archs) for task in TASKS)  # the same 711 cells
    assert set(macro_tasks["class_scene"].archs) == set(macro_tasks["class_object"].archs) < set(macro_tasks["autoencoder"].archs)
    assert load_transnas("micro") is micro_tasks  # cached per process


@pytest.mark.real_data
def test_benchmarks_list_the_union_with_nan_where_a_task_did_not_measure(micro, macro):
    assert len(micro) == 711 == len(set(micro.archs)) and micro.datasets == TASKS
    assert len(macro) == 725 == len(set(macro.archs)) and macro.datasets == TASKS
    for task in TASKS:
        assert not np.isnan(micro.labels(task)).any()
        assert int(np.isnan(macro.labels(task)).sum()) == (63 if task.startswith("class_") else 0)
    assert "higher = better" in micro.label and "negated L2 loss for room_layout" in macro.label


@pytest.mark.real_data
def test_known_records(micro, macro):
    row = micro.archs.index("64-41414-1_00_210")  # NASLib key (1, 0, 0, 2, 1, 0)
    assert micro.labels("class_scene")[row] == pytest.approx(34.89251708984375, abs=1e-12)
    assert micro.zero_cost("class_scene", "nwot")[row] == pytest.approx(460.1419780728774, abs=1e-9)
    assert micro.zero_cost("class_scene", "params")[row] == pytest.approx(0.910687, abs=1e-12)
    row = macro.archs.index("64-1242-basic")  # NASLib key (1, 2, 4, 2, 0, 0)
    assert macro.labels("class_scene")[row] == pytest.approx(54.29438781738281, abs=1e-12)
    assert macro.zero_cost("class_scene", "flops")[row] == pytest.approx(13602.455552, abs=1e-9)


@pytest.mark.real_data
def test_micro_op_codes_mean_what_sources_says(micro):
    """Code 3 (conv3x3) helps class_object, code 0 (zero) hurts; the 20 cells that code 0 cuts off
    are exactly those without a graph path, score at most 26.6 % there, and are exactly the cells
    where NASLib's own networks fail jacov and have zero gradients."""
    cells = [MICRO.parse(arch) for arch in micro.archs]
    accuracy = micro.labels("class_object")
    assert kendalltau([cell.codes.count(3) for cell in cells], accuracy)[0] == pytest.approx(0.37, abs=0.01)
    assert kendalltau([cell.codes.count(0) for cell in cells], accuracy)[0] == pytest.approx(-0.37, abs=0.01)
    cut_off = ~micro.has_path()
    assert int(cut_off.sum()) == 20
    assert list(cut_off) == [not cell.has_path() for cell in cells]
    assert accuracy[cut_off].max() <= 26.6 and accuracy.min() == pytest.approx(23.447, abs=1e-3)
    np.testing.assert_array_equal(np.isnan(micro.zero_cost("class_object", "jacov")), cut_off)
    np.testing.assert_array_equal(micro.zero_cost("class_object", "grad_norm") == 0, cut_off)


@pytest.mark.real_data
def test_label_conventions(micro, macro):
    for bench in (micro, macro):
        for task, (low, high) in {
            "class_scene": (1, 100),
            "class_object": (1, 100),
            "jigsaw": (0.1, 100),
            "autoencoder": (0, 1),
            "normal": (0, 1),
            "segmentsemantic": (90, 96),
            "room_layout": (-1.1, -0.55),  # the negated L2 loss
        }.items():
            labels = bench.labels(task)
            assert low <= np.nanmin(labels) and np.nanmax(labels) <= high, task


@pytest.mark.real_data
def test_macro_tuples_pad_with_trailing_zeros_and_span_the_stage_rules(macro):
    nets = [MACRO.parse(arch) for arch in macro.archs]
    assert {net.depth for net in nets} == {4, 5, 6}
    assert {net.downsample_count for net in nets} == {1, 2, 3, 4}
    assert {net.widen_count for net in nets} == {1, 2, 3}
    raw = {arch for task in load_transnas("macro").values() for arch in task.archs}
    assert all(not any(arch[arch.index(0) :]) for arch in raw if 0 in arch)
    assert {net.to_naslib_tuple() for net in nets} == raw


@pytest.mark.real_data
def test_every_benchmark_arch_round_trips_and_has_a_valid_graph(micro, macro):
    for bench in (micro, macro):
        space = spaces.create(bench.space)
        graphs = bench.graphs()
        assert len(graphs) == len(bench.archs)
        for arch, graph in zip(bench.archs, graphs):
            assert space.format(space.parse(arch)) == arch == graph.source
            assert graph.space == bench.space and set(graph.ops) <= {INPUT, OUTPUT, *space.ops}
    assert macro.has_path().all()


@pytest.mark.real_data
def test_zero_cost_arrays_are_aligned_with_archs(micro, macro):
    for bench in (micro, macro):
        for task in TASKS:
            names = bench.zero_cost_names(task)
            assert {"params", "flops", "nwot", "snip", "jacov"} <= set(names)
            assert ("epe_nas" in names) == (task == "jigsaw")  # −1e8 everywhere else
            unmeasured = np.isnan(bench.labels(task))
            for name in names:
                scores = bench.zero_cost(task, name)
                assert scores.shape == (len(bench.archs),) and scores.dtype == np.float64
                assert np.isnan(scores[unmeasured]).all() and not (scores == -1e8).any()
                assert np.isnan(scores[~unmeasured]).sum() <= (len(bench.archs) // 2 if name == "epe_nas" else 20)
    assert int(np.isnan(micro.zero_cost("jigsaw", "epe_nas")).sum()) == 325
    assert int(np.isnan(macro.zero_cost("jigsaw", "epe_nas")).sum()) == 319
    _one_line_error(
        lambda: micro.zero_cost("class_scene", "epe_nas"), r"no precomputed proxy 'epe_nas' on 'class_scene'; accepted: fisher,"
    )
    _one_line_error(lambda: micro.zero_cost_names("cifar10"), r"has no dataset 'cifar10'; accepted: class_scene, class_object")
    _one_line_error(lambda: macro.labels("cifar10"), r"has no dataset 'cifar10'")
