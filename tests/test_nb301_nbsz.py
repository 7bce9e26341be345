"""The NB-SZ NB301 file: NASLib's compact genotypes, the params check that pins their decoding, the loader and the benchmark."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from scipy.stats import kendalltau

from tgnas import benchmarks
from tgnas.data.integrity import DataFileError
from tgnas.data.nb301_nbsz import N_CELLS, NBSZ301_FILE, PROXIES, load_nbsz301
from tgnas.data.paths import ENV_VAR
from tgnas.spaces.darts import (
    CELLS,
    DARTS_V2,
    NASLIB_CHANNELS,
    NASLIB_LAYERS,
    NASLIB_OPS,
    SAMPLED_OPS,
    DartsGenotype,
    DartsSpace,
    network_params,
)

#: the file's first record (keys are sorted), decoded by hand from NASLib's op list
FIRST_KEY = (
    "[[(0, 0), (1, 0), (1, 0), (0, 6), (0, 5), (2, 6), (4, 6), (0, 2)], [(0, 3), (1, 2), (2, 4), (0, 4), (2, 3), (3, 3), (3, 5), (0, 6)]]"
)
FIRST_GENOTYPE = (
    "Genotype(normal=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 0), ('max_pool_3x3', 1), "
    "('dil_conv_3x3', 0), ('dil_conv_5x5', 2), ('skip_connect', 0), ('dil_conv_5x5', 4)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_5x5', 0), ('sep_conv_5x5', 2), ('sep_conv_3x3', 2), "
    "('sep_conv_3x3', 3), ('dil_conv_5x5', 0), ('dil_conv_3x3', 3)], reduce_concat=[2, 3, 4, 5])"
)


def _compact(genotype: DartsGenotype) -> list[list[tuple[int, int]]]:
    return [[(source, NASLIB_OPS.index(op)) for op, source in genotype.edges(cell)] for cell in CELLS]


# -- NASLib's compact encoding ---------------------------------------------------------------------
def test_naslib_op_codes_are_the_sampled_ops_in_darts_order():
    assert (
        NASLIB_OPS
        == SAMPLED_OPS
        == ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")
    )


def test_a_compact_string_decodes_to_the_hand_derived_genotype():
    genotype = DartsGenotype.from_naslib_tuple(FIRST_KEY)
    assert str(genotype) == FIRST_GENOTYPE
    assert DartsGenotype.from_naslib_tuple(json.loads(FIRST_KEY.replace("(", "[").replace(")", "]"))) == genotype


@pytest.mark.parametrize("seed", range(5))
def test_compact_of_a_genotype_decodes_back_to_it_whatever_the_pair_order(seed):
    genotype = DartsSpace().sample(seed)
    compact = _compact(genotype)
    assert DartsGenotype.from_naslib_tuple(compact) == genotype
    swapped = [[cell[i ^ 1] for i in range(8)] for cell in compact]  # a node's two pairs in the other order
    assert DartsGenotype.from_naslib_tuple(str(swapped)) == genotype


@pytest.mark.parametrize(
    ("compact", "message"),
    [
        ("[[(0, 0)] * 8, [(0, 0)] * 8]", "malformed NASLib NB301 tuple"),
        ("not a tuple", "malformed NASLib NB301 tuple"),
        ([[(0, 0)] * 8], r"holds two cells \(normal, reduce\)"),
        ([[(0, 0)] * 7, [(0, 0)] * 8], "the normal cell of a NASLib NB301 tuple must be 8"),
        ([[(0, 0)] * 8, [(0, 0, 1)] + [(0, 0)] * 7], "edge 0 of the reduce cell .* must be an \\(input, op\\) pair of integers"),
        ([[(0, True)] + [(0, 0)] * 7, [(0, 0)] * 8], "must be an \\(input, op\\) pair of integers"),
        ([[(0, 7)] + [(1, 0)] * 7, [(0, 0)] * 8], "op code 7 on edge 0 of the normal cell; accepted: 0=max_pool_3x3, 1=avg_pool_3x3"),
        ([[(0, 0), (1, 0), (3, 0)] + [(0, 0)] * 5, [(0, 0)] * 8], "input 3 of normal-cell node 3 is out of range"),
        (17, r"holds two cells"),
    ],
)
def test_bad_compact_tuples_name_what_is_wrong(compact, message):
    with pytest.raises(ValueError, match=message):
        DartsGenotype.from_naslib_tuple(compact)


# -- NASLib's NB301 network --------------------------------------------------------------------------
def test_op_affine_drops_exactly_the_bn_weights_of_the_cell_operations():
    def params(genotype):
        return network_params(genotype, NASLIB_CHANNELS, NASLIB_LAYERS) - network_params(
            genotype, NASLIB_CHANNELS, NASLIB_LAYERS, op_affine=False
        )

    pools = [("max_pool_3x3", i % 2) for i in range(8)]
    # 8 cells, C = 32 doubling at the reductions (cells 2 and 5): normal cells at C = 32, 32, 64, 64, 128, 128, reduction at 64, 128
    separable = DartsGenotype(normal=[("sep_conv_3x3", i % 2) for i in range(8)], reduce=pools)
    assert params(separable) == 8 * 2 * 2 * (32 + 32 + 64 + 64 + 128 + 128)  # 8 edges × 2 BN blocks × 2C
    strided_skips = DartsGenotype(normal=pools, reduce=[("skip_connect", i % 2) for i in range(8)])
    assert params(strided_skips) == 8 * 2 * (64 + 128)  # a factorised reduction has one BN
    assert params(DartsGenotype(normal=pools, reduce=pools)) == 0
    assert network_params(DARTS_V2) == network_params(DARTS_V2, op_affine=True)


# -- the real file -----------------------------------------------------------------------------------
@pytest.mark.real_data
def test_the_file_holds_493_distinct_cells_and_the_first_record_decodes_by_hand():
    data = load_nbsz301()
    assert len(data.genotypes) == N_CELLS == len(set(data.genotypes))
    assert str(data.genotypes[0]) == FIRST_GENOTYPE and data.val_accuracy[0] == 93.35978662122535
    assert data.proxies["params"][0] == 0.904426 and data.proxies["flops"][0] == 153.581056
    assert 90.7 < data.val_accuracy.min() < data.val_accuracy.max() < 94.4
    assert load_nbsz301() is data and not data.proxies["params"].flags.writeable


def _recoded(genotypes, ops=None, inputs=None):
    """The genotypes with op names and/or input indices renamed (a wrong reading of the compact codes)."""
    ops, inputs = ops or {}, inputs or {}
    return [DartsGenotype(*[[(ops.get(op, op), inputs.get(s, s)) for op, s in g.edges(cell)] for cell in CELLS]) for g in genotypes]


def _naslib_params(genotypes):
    return np.array([network_params(g, NASLIB_CHANNELS, NASLIB_LAYERS, op_affine=False) for g in genotypes])


@pytest.mark.real_data
def test_naslib_network_params_reproduce_the_files_params_for_every_cell():
    data = load_nbsz301()
    counted = np.round(data.proxies["params"] * 1e6)
    np.testing.assert_array_equal(_naslib_params(data.genotypes), counted)
    # neither the cell operations' BN weights nor the evaluation network (C = 36, 20 cells) are in NB-SZ's count
    assert not any(
        network_params(g, NASLIB_CHANNELS, NASLIB_LAYERS) == c or network_params(g) == c for g, c in zip(data.genotypes, counted)
    )


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("first", "second", "matching"),
    [
        ("sep_conv_3x3", "sep_conv_5x5", 42),
        ("sep_conv_3x3", "dil_conv_3x3", 27),
        ("dil_conv_3x3", "dil_conv_5x5", 26),
        ("skip_connect", "max_pool_3x3", 168),
    ],
)
def test_a_wrong_op_order_breaks_the_params_agreement(first, second, matching):
    data = load_nbsz301()
    wrong = _naslib_params(_recoded(data.genotypes, ops={first: second, second: first}))
    assert int((wrong == np.round(data.proxies["params"] * 1e6)).sum()) == matching  # of 493: only cells where the swap cancels out


@pytest.mark.real_data
def test_params_cannot_tell_the_pools_or_the_two_cell_inputs_apart_but_the_surrogate_reads_input_0_as_c_k_minus_2():
    from tgnas.data.nb301 import NB301Surrogate

    data = load_nbsz301()
    counted = np.round(data.proxies["params"] * 1e6)
    pools = {"max_pool_3x3": "avg_pool_3x3", "avg_pool_3x3": "max_pool_3x3"}
    np.testing.assert_array_equal(_naslib_params(_recoded(data.genotypes, ops=pools)), counted)  # why the pool order is NASLib's word
    swapped = _recoded(data.genotypes, inputs={0: 1, 1: 0})
    np.testing.assert_array_equal(_naslib_params(swapped), counted)
    surrogate = NB301Surrogate.load()
    as_read = kendalltau(surrogate.predict(data.genotypes), data.val_accuracy)[0]
    other = kendalltau(surrogate.predict(swapped), data.val_accuracy)[0]
    assert as_read == pytest.approx(0.418, abs=0.002) and other == pytest.approx(0.367, abs=0.002)


@pytest.mark.real_data
def test_nb301_benchmark_is_the_file_with_its_proxies_aligned():
    bench = benchmarks.create("nb301")
    data = load_nbsz301()
    assert (bench.space, bench.datasets, len(bench)) == ("darts", ("cifar10",), 493)
    assert bench.archs[0] == FIRST_GENOTYPE and bench.has_path().all()
    np.testing.assert_array_equal(bench.labels("cifar10"), data.val_accuracy)
    assert bench.zero_cost_names("cifar10") == PROXIES and len(PROXIES) == 11
    for name in PROXIES:
        values = bench.zero_cost("cifar10", name)
        assert values.shape == (493,) and not np.isnan(values).any()
    space = DartsSpace()
    counted = [network_params(space.parse(a), NASLIB_CHANNELS, NASLIB_LAYERS, op_affine=False) / 1e6 for a in bench.archs[::50]]
    np.testing.assert_allclose(bench.zero_cost("cifar10", "params")[::50], counted, rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="no precomputed proxy 'nwot' on 'cifar10'; accepted: flops, params, snip"):
        bench.zero_cost("cifar10", "nwot")


@pytest.mark.real_data
def test_kendall_tau_of_the_files_params_against_its_labels():
    bench = benchmarks.create("nb301")
    tau = kendalltau(bench.zero_cost("cifar10", "params"), bench.labels("cifar10"))[0]
    print(f"NB301 (NB-SZ): Kendall tau of params vs label = {tau:.4f}")
    assert tau == pytest.approx(0.3569, abs=5e-4)


# -- bad files ---------------------------------------------------------------------------------------
def _file(records: dict[str, object]) -> bytes:
    return gzip.compress(json.dumps({"nasbench301": {"cifar10": records}}).encode())


def _records(n: int = N_CELLS) -> dict[str, object]:
    space = DartsSpace()
    genotypes = list(dict.fromkeys(space.sample(seed) for seed in range(n)))
    record = {"val_accuracy": 92.5, **dict.fromkeys(PROXIES, 1.0)}
    return {str(_compact(g)): dict(record) for g in genotypes}


def _changed(key: int, **values: object) -> dict[str, object]:
    records = _records()
    name = list(records)[key]
    records[name] = {**records[name], **values}
    return records


def _swapped_duplicate() -> dict[str, object]:
    records = _records(N_CELLS - 1)
    first = json.loads(next(iter(records)).replace("(", "[").replace(")", "]"))
    records[str([[cell[i ^ 1] for i in range(8)] for cell in first])] = next(iter(records.values()))
    return records


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: _file(_records(100)), "holds 100 cells, expected 493"),
        (lambda: gzip.compress(b'{"nasbench201": {}}'), "expected a JSON object"),
        (lambda: gzip.compress(b"{not json"), "is not valid JSON"),
        (lambda: _file(_records())[:500], "is truncated"),
        (lambda: json.dumps({}).encode(), "is not gzip-compressed"),
        (lambda: _file(_changed(3, snip=None)), r"snip of cell .* is None, not a finite number"),
        (lambda: _file(_changed(4, synflow=float("inf"))), r"synflow of cell .* is inf, not a finite number"),
        (lambda: _file(_changed(5, zen=1.0)), "must hold exactly val_accuracy and flops, params"),
        (lambda: _file({**_records(N_CELLS - 1), "[[(0, 9)] * 8, [(0, 0)] * 8]": {}}), "malformed NASLib NB301 tuple"),
        (
            lambda: _file(
                {str([[(0, 9)] + [(1, 0)] * 7, [(0, 0)] * 8]) if i == 0 else k: v for i, (k, v) in enumerate(_records().items())}
            ),
            "op code 9",
        ),
        (lambda: _file(_swapped_duplicate()), "two keys are the same genotype"),
        (lambda: _file({k: {**v, "val_accuracy": 0.9} for k, v in _records().items()}), "must be percentages"),
    ],
)
def test_a_bad_file_is_one_data_file_error_naming_it(tmp_path, content, message):
    path = tmp_path / "nb301.json.gz"
    path.write_bytes(content())
    with pytest.raises(DataFileError, match=message) as caught:
        load_nbsz301(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_modified_copy_in_the_data_directory_fails_its_checksum_and_names_the_mirror(tmp_path, monkeypatch):
    path = tmp_path / NBSZ301_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(_file(_records()))
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(DataFileError, match=f"does not have the content pinned.*tgnas data fetch --only {NBSZ301_FILE} --mirror"):
        load_nbsz301()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_nbsz301(tmp_path / "absent.json.gz")
