"""The YAHPO v2 NB301 surrogate: hand-derived encodings, prediction sanity, batching, errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from tgnas.data import nb301
from tgnas.data.integrity import DataFileError
from tgnas.data.nb301 import MAX_EPOCH, MIN_EPOCH, NB301Surrogate, column_names
from tgnas.data.paths import ENV_VAR, MissingDataError, data_file
from tgnas.spaces.darts import (
    DARTS_V1,
    DARTS_V2,
    SAMPLED_OPS,
    DartsGenotype,
    DartsSpace,
)

# Hand-derived from encoding_v2.json: ops avg_pool_3x3=1 dil_conv_3x3=2 dil_conv_5x5=3 max_pool_3x3=4
# sep_conv_3x3=5 sep_conv_5x5=6 skip_connect=7, inactive edge 0; node k's edges start at 0, 2, 5, 9.
DARTS_V2_X_CAT = [
    # normal: n2 <- sep(0) sep(1) | n3 <- sep(0) sep(1) - | n4 <- skip(0) sep(1) - - | n5 <- skip(0) - dil3(2) - -
    5,
    5,
    5,
    5,
    0,
    7,
    5,
    0,
    0,
    7,
    0,
    2,
    0,
    0,
    # reduce: n2 <- max(0) max(1) | n3 <- - max(1) skip(2) | n4 <- max(0) - skip(2) - | n5 <- - max(1) skip(2) - -
    4,
    4,
    0,
    4,
    7,
    4,
    0,
    7,
    0,
    0,
    4,
    7,
    0,
    0,
    # inputs of normal nodes 3, 4, 5: "0_1"=1, "0_1"=1, "0_2"=2 (node 5 has 11 categories)
    1,
    1,
    2,
    # inputs of reduce nodes 3, 4, 5: "1_2"=3, "0_2"=2, "1_2"=5
    3,
    2,
    5,
]
DARTS_V1_X_CAT = [
    # normal: n2 <- sep sep | n3 <- skip(0) sep(1) - | n4 <- skip(0) sep(1) - - | n5 <- sep(0) - skip(2) - -
    5,
    5,
    7,
    5,
    0,
    7,
    5,
    0,
    0,
    5,
    0,
    7,
    0,
    0,
    # reduce: n2 <- max max | n3 <- max(0) - skip(2) | n4 <- max(0) - skip(2) - | n5 <- avg(0) - skip(2) - -
    4,
    4,
    4,
    0,
    7,
    4,
    0,
    7,
    0,
    1,
    0,
    7,
    0,
    0,
    1,
    1,
    2,  # normal inputs 0_1, 0_1, 0_2
    2,
    2,
    2,  # reduce inputs 0_2 (node 3: 2), 0_2 (node 4: 2), 0_2 (node 5: 2)
]
PREFIX = "NetworkSelectorDatasetInfo_COLON_darts_COLON_"


def _random_genotypes(count: int, seed: int = 0) -> list[DartsGenotype]:
    space = DartsSpace()
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(count)]


def _uniform_cell(op: str) -> tuple[tuple[str, int], ...]:
    return tuple((op, source) for _ in range(4) for source in (0, 1))


def _valid_encoding() -> dict[str, dict[str, int]]:
    """A made-up encoding with the right keys, for tests that must not need the real data."""
    encoding = {}
    for name in column_names():
        if name.startswith("edge_"):
            values = list(SAMPLED_OPS)
        else:
            node = int(name[-1])
            values = [f"{a}_{b}" for a in range(node) for b in range(a + 1, node)]
        encoding[PREFIX + name] = {"#na#": 0, **{value: code for code, value in enumerate(values, start=1)}}
    return encoding


@pytest.fixture(scope="module")
def surrogate() -> NB301Surrogate:
    return NB301Surrogate.load()


# -- encoding -------------------------------------------------------------------------------------
@pytest.mark.real_data
def test_published_genotypes_encode_to_hand_derived_codes(surrogate):
    x_cat = surrogate.encode([DARTS_V2, DARTS_V1])
    assert x_cat.dtype == np.int32 and x_cat.shape == (2, 34)
    assert x_cat[0].tolist() == DARTS_V2_X_CAT
    assert x_cat[1].tolist() == DARTS_V1_X_CAT


@pytest.mark.real_data
def test_encoding_obeys_the_config_space_conditions(surrogate):
    """An edge column is active exactly when its node's input choice names it (config_space_v2.json)."""
    config = json.loads(data_file("nb301/yahpo_nb301_v2/config_space_v2.json").read_text())
    encoding = json.loads(data_file(nb301.ENCODING_FILE).read_text())
    names = column_names()
    x_cat = surrogate.encode(_random_genotypes(50, seed=1))
    conditions = config["conditions"]
    assert len(conditions) == 24  # edges of nodes 3..5 in both cells; node 2's edges are always active
    for row in x_cat:
        value = {name: code for name, code in zip(names, row.tolist())}
        decoded = {name: {code: category for category, code in encoding[PREFIX + name].items()}[value[name]] for name in names}
        for condition in conditions:
            child = condition["child"].removeprefix(PREFIX)
            parent = condition["parent"].removeprefix(PREFIX)
            assert (decoded[child] != "#na#") == (decoded[parent] in condition["values"])
        for cell in ("normal", "reduce"):
            assert sum(decoded[f"edge_{cell}_{i}"] != "#na#" for i in range(14)) == 8
            assert decoded[f"edge_{cell}_0"] != "#na#" and decoded[f"edge_{cell}_1"] != "#na#"


@pytest.mark.real_data
def test_epoch_range_matches_the_config_space():
    config = json.loads(data_file("nb301/yahpo_nb301_v2/config_space_v2.json").read_text())
    (epoch,) = [hp for hp in config["hyperparameters"] if hp["name"] == "epoch"]
    assert (epoch["lower"], epoch["upper"]) == (MIN_EPOCH, MAX_EPOCH) == (1, 98)


@pytest.mark.real_data
def test_inputs_accept_strings_names_and_single_genotypes(surrogate):
    expected = surrogate.encode([DARTS_V2])
    assert np.array_equal(surrogate.encode(DARTS_V2), expected)
    assert np.array_equal(surrogate.encode("DARTS_V2"), expected)
    assert np.array_equal(surrogate.encode([str(DARTS_V2)]), expected)
    assert surrogate.encode([]).shape == (0, 34)
    assert surrogate.predict([]).shape == (0,)


# -- predictions ----------------------------------------------------------------------------------
@pytest.mark.real_data
def test_darts_v2_prediction_golden(surrogate):
    (accuracy,) = surrogate.predict(DARTS_V2)
    assert accuracy == pytest.approx(92.910, abs=0.005)  # measured with onnxruntime 1.32 on CPU
    assert surrogate.predict(DARTS_V2, epoch=MIN_EPOCH)[0] < accuracy  # training raises accuracy


@pytest.mark.real_data
def test_random_genotypes_get_plausible_deterministic_accuracies(surrogate):
    genotypes = _random_genotypes(200)
    accuracy = surrogate.predict(genotypes)
    assert accuracy.dtype == np.float64 and accuracy.shape == (200,)
    assert np.isfinite(accuracy).all()
    assert accuracy.min() > 85.0 and accuracy.max() < 96.0
    assert 91.5 < accuracy.mean() < 93.5 and 0.1 < accuracy.std() < 1.5
    assert np.array_equal(surrogate.predict(genotypes), accuracy)
    assert np.array_equal(NB301Surrogate.load().predict(genotypes), accuracy)


@pytest.mark.real_data
def test_operators_rank_as_expected(surrogate):
    """A normal cell of only skip connections is far worse than one of separable convolutions."""
    skip, sep = (DartsGenotype(_uniform_cell(op), _uniform_cell("max_pool_3x3")) for op in ("skip_connect", "sep_conv_3x3"))
    accuracy = surrogate.predict([skip, sep])
    runtime = surrogate.predict_runtime([skip, sep])
    assert accuracy[0] + 5 < accuracy[1]
    assert np.isfinite(runtime).all() and 0 < runtime[0] < runtime[1]


class _CountingSession:
    def __init__(self, session):
        self.session = session
        self.batch_sizes: list[int] = []

    def run(self, output_names, feeds):
        self.batch_sizes.append(len(feeds["x_cat"]))
        return self.session.run(output_names, feeds)


@pytest.mark.real_data
def test_batched_prediction_equals_one_by_one(surrogate):
    genotypes = _random_genotypes(50, seed=2)
    batched = surrogate.predict(genotypes)
    single = np.concatenate([surrogate.predict([genotype]) for genotype in genotypes])
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-4)
    counting = _CountingSession(surrogate._session)
    chunked = NB301Surrogate(counting, json.loads(data_file(nb301.ENCODING_FILE).read_text()))
    np.testing.assert_allclose(chunked.predict(genotypes, batch_size=16), batched, rtol=0, atol=1e-4)
    assert counting.batch_sizes == [16, 16, 16, 2]


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.real_data
@pytest.mark.parametrize("epoch", [0, 99, -1, 1.5, "98", True])
def test_epoch_out_of_range_is_rejected(surrogate, epoch):
    with pytest.raises(ValueError, match=r"epoch .* outside the surrogate's range; accepted: an integer 1\.\.98"):
        surrogate.predict(DARTS_V2, epoch=epoch)


@pytest.mark.real_data
def test_unrepresentable_genotypes_are_rejected(surrogate):
    with_none = DartsGenotype(DARTS_V2.normal[:7] + (("none", 2),), DARTS_V2.reduce)
    with pytest.raises(ValueError, match=r"genotype 1 uses 'none' in its normal cell; NB301 cannot represent it"):
        surrogate.predict([DARTS_V2, with_none])
    partial = DartsGenotype(DARTS_V2.normal, DARTS_V2.reduce, reduce_concat=[2, 3])
    with pytest.raises(ValueError, match=r"reduce_concat=\[2, 3\]; NB301 only represents .* \[2, 3, 4, 5\]"):
        surrogate.encode(partial)
    with pytest.raises(ValueError, match="item 0 is a int; expected a DartsGenotype or a genotype string"):
        surrogate.encode([7])
    with pytest.raises(ValueError, match="unknown DARTS genotype name 'DARTS_V9'"):
        surrogate.predict("DARTS_V9")
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        surrogate.predict(DARTS_V2, batch_size=0)


def test_missing_model_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(MissingDataError, match=r"model_v2\.onnx.*tgnas data fetch"):
        NB301Surrogate.load()


def test_bad_thread_count_is_rejected():
    with pytest.raises(ValueError, match="threads must be a positive integer, got 0"):
        NB301Surrogate.load(threads=0)


def test_missing_onnxruntime_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"needs onnxruntime .*pip install onnxruntime"):
        NB301Surrogate.load()


def test_corrupt_model_file_is_a_data_file_error_naming_the_repair(tmp_path, monkeypatch):
    folder = tmp_path / "nb301" / "yahpo_nb301_v2"
    folder.mkdir(parents=True)
    (folder / "model_v2.onnx").write_bytes(b"not an onnx model")
    (folder / "encoding_v2.json").write_text(json.dumps(_valid_encoding()))
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(
        DataFileError,
        match=r"model_v2\.onnx does not have the content pinned .*"
        r"tgnas data fetch --only nb301/yahpo_nb301_v2/model_v2\.onnx",
    ):
        NB301Surrogate.load()


def test_encoding_file_is_checked_against_the_nb301_layout():
    encoding = _valid_encoding()
    assert NB301Surrogate(None, encoding).encode(DARTS_V2).shape == (1, 34)
    del encoding[PREFIX + "inputs_node_reduce_5"]
    with pytest.raises(ValueError, match="no entry 'NetworkSelectorDatasetInfo_COLON_darts_COLON_inputs_node_reduce_5'"):
        NB301Surrogate(None, encoding)
    encoding = _valid_encoding()
    del encoding[PREFIX + "edge_normal_3"]["sep_conv_5x5"]
    with pytest.raises(ValueError, match=r"edge_normal_3 has no code for \['sep_conv_5x5'\]"):
        NB301Surrogate(None, encoding)
    encoding = _valid_encoding()
    encoding[PREFIX + "edge_reduce_0"]["#na#"] = 3
    with pytest.raises(ValueError, match=r"must code '#na#' \(inactive\) as 0, got 3"):
        NB301Surrogate(None, encoding)


def test_column_layout():
    names = column_names()
    assert len(names) == 34
    assert names[:2] == ["edge_normal_0", "edge_normal_1"] and names[13] == "edge_normal_13"
    assert names[14] == "edge_reduce_0" and names[27] == "edge_reduce_13"
    assert names[28:] == [f"inputs_node_{cell}_{k}" for cell in ("normal", "reduce") for k in (3, 4, 5)]
