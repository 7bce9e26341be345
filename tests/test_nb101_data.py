"""TFRecord/protobuf codecs and the three NB101 readers (golden values from the real files)."""

from __future__ import annotations

import base64
import json
import os
import pickle
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas.data.nb101 import (
    NB101Record,
    load_nb101,
    read_naslib_nb101_json,
    read_nb101_official_json,
    read_nb101_pickle,
    read_nb101_tfrecord,
)
from tgnas.data.paths import MissingDataError, data_file
from tgnas.data.tfrecord import (
    FIXED64,
    LENGTH_DELIMITED,
    VARINT,
    as_signed64,
    crc32c,
    decode_double,
    decode_message,
    decode_varint,
    encode_bytes_field,
    encode_double_field,
    encode_varint,
    encode_varint_field,
    frame_record,
    iter_records,
    masked_crc32c,
    write_records,
)
from tgnas.spaces.nb101 import NB101Cell

# -- CRC-32C and TFRecord framing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [  # check values of RFC 3720 (iSCSI), appendix B.4, and the classic "123456789"
        (b"123456789", 0xE3069283),
        (bytes(32), 0x8A9136AA),
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
        (b"", 0),
    ],
)
def test_crc32c_check_values(data, expected):
    assert crc32c(data) == expected


def test_masked_crc_rotates_and_adds_the_delta():
    crc = 0xE3069283
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    assert masked_crc32c(b"123456789") == (rotated + 0xA282EAD8) & 0xFFFFFFFF


def test_frame_layout():
    framed = frame_record(b"abc")
    assert framed[:8] == struct.pack("<Q", 3)
    assert struct.unpack("<I", framed[8:12])[0] == masked_crc32c(struct.pack("<Q", 3))
    assert framed[12:15] == b"abc"
    assert struct.unpack("<I", framed[15:])[0] == masked_crc32c(b"abc")


@settings(max_examples=60, deadline=None)
@given(records=st.lists(st.binary(max_size=300), max_size=8))
def test_tfrecord_round_trip(records):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "r.tfrecord"
        write_records(path, records)
        assert list(iter_records(path, verify_data_crc=True)) == records
        assert path.stat().st_size == sum(16 + len(r) for r in records)


def _three_record_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "three.tfrecord"
    write_records(path, [b"first", b"second!", b"third"])
    return path, path.read_bytes()


def test_corrupt_length_crc_names_the_record_and_offset(tmp_path):
    path, raw = _three_record_file(tmp_path)
    second = 16 + len(b"first")
    corrupt = bytearray(raw)
    corrupt[second + 8] ^= 0xFF  # the length CRC of record 1
    path.write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match=f"length CRC mismatch in record 1 at byte offset {second} of"):
        list(iter_records(path))


def test_corrupt_data_is_found_only_when_asked(tmp_path):
    path, raw = _three_record_file(tmp_path)
    second = 16 + len(b"first")
    corrupt = bytearray(raw)
    corrupt[second + 12] ^= 0x01  # first data byte of record 1
    path.write_bytes(bytes(corrupt))
    assert list(iter_records(path))[1] == b"recond!"
    with pytest.raises(ValueError, match=f"data CRC mismatch in record 1 at byte offset {second}"):
        list(iter_records(path, verify_data_crc=True))


@pytest.mark.parametrize("cut", [3, 6])  # into the data CRC, into the data
def test_truncated_file_names_the_record(tmp_path, cut):
    path, raw = _three_record_file(tmp_path)
    path.write_bytes(raw[:-cut])
    third = 2 * 16 + len(b"first") + len(b"second!")
    with pytest.raises(ValueError, match=f"truncated in record 2 at byte offset {third}"):
        list(iter_records(path))
    path.write_bytes(raw[: third + 5])
    with pytest.raises(ValueError, match="truncated in the header of record 2"):
        list(iter_records(path))


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "keep.tfrecord"
    write_records(path, [b"old"])
    with pytest.raises(ValueError, match="a TFRecord record must be bytes, got str"):
        write_records(path, [b"new", "not bytes"])
    assert list(iter_records(path)) == [b"old"]
    assert os.listdir(tmp_path) == ["keep.tfrecord"]


def test_progress_callback_counts_every_byte(tmp_path):
    path, raw = _three_record_file(tmp_path)
    seen: list[int] = []
    list(iter_records(path, progress=seen.append))
    assert sum(seen) == len(raw) and len(seen) == 3


# -- protobuf wire format ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, encoded",
    [(0, "00"), (1, "01"), (150, "9601"), (300, "ac02"), (2**63, "80808080808080808001"), (-1, "ffffffffffffffffff01")],
)
def test_varint_known_encodings(value, encoded):
    assert encode_varint(value).hex() == encoded


@settings(max_examples=200, deadline=None)
@given(value=st.integers(-(2**63), 2**64 - 1))
def test_varint_round_trip(value):
    encoded = encode_varint(value)
    decoded, end = decode_varint(encoded + b"tail", 0)
    assert end == len(encoded) <= 10
    assert (as_signed64(decoded) if value < 0 else decoded) == value


def test_decode_message_known_bytes():
    # the protobuf documentation's examples: field 1 = 150 and field 2 = "testing"
    assert encode_varint_field(1, 150).hex() == "089601"
    assert encode_bytes_field(2, "testing").hex() == "120774657374696e67"
    assert decode_message(bytes.fromhex("089601120774657374696e67")) == [(1, VARINT, 150), (2, LENGTH_DELIMITED, b"testing")]


@settings(max_examples=100, deadline=None)
@given(value=st.floats(allow_nan=False), field=st.integers(1, 2**20), nested=st.binary(max_size=50))
def test_fields_round_trip(value, field, nested):
    message = encode_double_field(field, value) + encode_bytes_field(field + 1, nested) + encode_varint_field(3, -5)
    (f1, t1, v1), (f2, t2, v2), (f3, t3, v3) = decode_message(message)
    assert (f1, t1, decode_double(v1)) == (field, FIXED64, value)
    assert (f2, t2, v2) == (field + 1, LENGTH_DELIMITED, nested)
    assert (f3, t3, as_signed64(v3)) == (3, VARINT, -5)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x08", "varint runs past the end of the message"),
        (b"\x08" + b"\xff" * 11, "varint longer than 10 bytes"),
        (b"\x12\x05ab", "field 2 at byte 0 needs 5 bytes but only 2 remain"),
        (b"\x09\x00\x00", "field 1 at byte 0 needs 8 bytes"),
        (b"\x0b", r"wire type 3 of field 1 at byte 0; accepted: 0 \(varint\), 1 \(64-bit\)"),
        (b"\x00\x01", "field number 0 at byte 0"),
    ],
)
def test_malformed_protobuf_raises(raw, message):
    with pytest.raises(ValueError, match=message):
        decode_message(raw)


def test_encoder_rejects_bad_values():
    with pytest.raises(ValueError, match="does not fit in 64 bits"):
        encode_varint(2**64)
    with pytest.raises(ValueError, match="field numbers start at 1, got 0"):
        encode_varint_field(0, 1)


# -- an NB101 TFRecord file written by the test --------------------------------------------------
CHAIN = NB101Cell.parse("010/001/000|input,conv3x3-bn-relu,output")
FORK = NB101Cell.parse("0110/0001/0001/0000|input,conv1x1-bn-relu,maxpool3x3,output")


def model_metrics(params: int, final: tuple[float, float, float], epochs: float = 108.0) -> bytes:
    """A serialized ModelMetrics with an initial and a final EvaluationData; final = (time, val, test)."""

    def evaluation(epoch: float, time: float, val: float, test: float) -> bytes:
        return (
            encode_double_field(1, epoch)
            + encode_double_field(2, time)
            + encode_double_field(3, 1.0)
            + encode_double_field(4, val)
            + encode_double_field(5, test)
            + encode_bytes_field(6, "/ckpt")
        )

    return (
        encode_bytes_field(1, evaluation(0.0, 0.0, 0.1, 0.1))
        + encode_bytes_field(1, evaluation(epochs, *final))
        + encode_varint_field(2, params)
        + encode_double_field(3, final[0] + 50.0)
    )


def payload(cell: NB101Cell, epochs: int, params: int, final: tuple[float, float, float], module_hash: str | None = None) -> bytes:
    adjacency = "".join(str(v) for v in cell.matrix.flatten())
    metrics = base64.b64encode(model_metrics(params, final, float(epochs))).decode("ascii")
    row = [module_hash or cell.graph_hash(), epochs, adjacency, ",".join(cell.ops), metrics]
    return json.dumps(row).encode("utf-8")


CHAIN_RUNS = [(100.0, 0.80, 0.79), (110.0, 0.82, 0.81), (120.0, 0.81, 0.83)]
FORK_RUNS = [(200.0, 0.90, 0.91), (220.0, 0.92, 0.90), (240.0, 0.94, 0.92)]


@pytest.fixture
def nb101_tfrecord(tmp_path) -> Path:
    """Two cells × 3 runs at 108 epochs, runs interleaved, plus one run of CHAIN at 36 epochs."""
    records = []
    for chain_run, fork_run in zip(CHAIN_RUNS, FORK_RUNS):
        records.append(payload(CHAIN, 108, 1000, chain_run))
        records.append(payload(FORK, 108, 2000, fork_run))
    records.append(payload(CHAIN, 36, 1000, (30.0, 0.5, 0.4)))
    path = tmp_path / "mini.tfrecord"
    write_records(path, records)
    return path


def test_tfrecord_reader_averages_the_runs_of_each_hash(nb101_tfrecord):
    records = list(read_nb101_tfrecord(nb101_tfrecord, verify_data_crc=True, verify_hashes=True))
    assert [r.cell for r in records] == [CHAIN, FORK]
    chain, fork = records
    assert chain.hash == CHAIN.graph_hash() and chain.n_runs == 3 and chain.params == 1000
    assert chain.val_acc == pytest.approx((80 + 82 + 81) / 3)
    assert chain.test_acc == pytest.approx((79 + 81 + 83) / 3)
    assert chain.train_time == pytest.approx(110.0)
    assert fork.val_acc == pytest.approx(92.0) and fork.test_acc == pytest.approx((91 + 90 + 92) / 3)
    assert fork.proxies == {}


def test_tfrecord_reader_selects_the_epoch_budget(nb101_tfrecord):
    (record,) = read_nb101_tfrecord(nb101_tfrecord, epochs=36)
    assert (record.cell, record.n_runs, record.val_acc, record.test_acc) == (CHAIN, 1, 50.0, 40.0)
    with pytest.raises(ValueError, match="has no runs at 12 epochs; epoch budgets in the file: 36, 108"):
        list(read_nb101_tfrecord(nb101_tfrecord, epochs=12))
    with pytest.raises(ValueError, match="NB101 epoch budget 100; accepted: 4, 12, 36, 108"):
        read_nb101_tfrecord(nb101_tfrecord, epochs=100)  # checked at the call, before any reading
    with pytest.raises(FileNotFoundError, match="NB101 TFRecord file .*absent.tfrecord does not exist"):
        read_nb101_tfrecord(nb101_tfrecord.parent / "absent.tfrecord")


def test_load_nb101_reads_a_tfrecord_path(nb101_tfrecord):
    assert [r.cell for r in load_nb101(nb101_tfrecord)] == [CHAIN, FORK]


def test_tfrecord_reader_reports_corruption_and_truncation(nb101_tfrecord):
    raw = nb101_tfrecord.read_bytes()
    nb101_tfrecord.write_bytes(raw[:-7])
    with pytest.raises(ValueError, match="truncated in record 6 at byte offset"):
        list(read_nb101_tfrecord(nb101_tfrecord))
    corrupt = bytearray(raw)
    corrupt[8] ^= 0x10
    nb101_tfrecord.write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match="length CRC mismatch in record 0 at byte offset 0"):
        list(read_nb101_tfrecord(nb101_tfrecord))
    corrupt = bytearray(raw)
    corrupt[20] ^= 0x01  # inside the JSON payload of record 0
    nb101_tfrecord.write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match="data CRC mismatch in record 0"):
        list(read_nb101_tfrecord(nb101_tfrecord, verify_data_crc=True))


def _single_record_file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "one.tfrecord"
    write_records(path, [data])
    return path


GOOD_METRICS = base64.b64encode(model_metrics(5, (1.0, 0.5, 0.5))).decode()
CHAIN_ROW = [CHAIN.graph_hash(), 108, "010001000", "input,conv3x3-bn-relu,output"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff\xfe", r"record 0 of .* is not an NB101 JSON payload"),
        (b'{"a": 1}', r"record 0 of .* must be a JSON list \[hash, epochs, adjacency, operations, metrics\]"),
        (json.dumps(["xyz", 108, "01", "input", GOOD_METRICS]).encode(), "module hash 'xyz' is not 32 lowercase hex digits"),
        (json.dumps([*CHAIN_ROW[:1], "108", *CHAIN_ROW[2:], GOOD_METRICS]).encode(), "epochs '108' is not an integer"),
        (json.dumps([*CHAIN_ROW[:3], 7, GOOD_METRICS]).encode(), "operations must be a string, got 7"),
        (json.dumps([*CHAIN_ROW, "not base64!"]).encode(), "metrics are not valid base64"),
        (
            json.dumps([*CHAIN_ROW, base64.b64encode(encode_varint_field(2, 5)).decode()]).encode(),
            "bad ModelMetrics protobuf: ModelMetrics has no evaluation_data",
        ),
        (
            json.dumps([*CHAIN_ROW, base64.b64encode(encode_bytes_field(1, b"")).decode()]).encode(),
            "ModelMetrics has no trainable_parameters",
        ),
        (
            json.dumps(
                [*CHAIN_ROW, base64.b64encode(encode_bytes_field(1, encode_double_field(2, 1.0)) + encode_varint_field(2, 5)).decode()]
            ).encode(),
            "final EvaluationData lacks validation_accuracy, test_accuracy",
        ),
        (
            json.dumps([*CHAIN_ROW, base64.b64encode(encode_double_field(2, 5.0)).decode()]).encode(),
            "ModelMetrics.trainable_parameters has wire type 1, expected 0",
        ),
        (
            json.dumps([CHAIN.graph_hash(), 108, "01000", "input,output", GOOD_METRICS]).encode(),
            r"hash .* adjacency '01000' must be n\*n digits 0/1",
        ),
        (
            json.dumps([CHAIN.graph_hash(), 108, "0100", "input,conv5x5", GOOD_METRICS]).encode(),
            r"hash .*: last op of an NB101 cell must be 'output', got 'conv5x5'",
        ),
        (
            json.dumps([*CHAIN_ROW, base64.b64encode(model_metrics(5, (1.0, 1.5, 0.5))).decode()]).encode(),
            r"accuracy 1.5 is not a fraction in \[0, 1\]",
        ),
    ],
)
def test_malformed_nb101_records_are_named(tmp_path, data, message):
    path = _single_record_file(tmp_path, data)
    with pytest.raises(ValueError, match=message):
        list(read_nb101_tfrecord(path))


def test_tfrecord_hash_mismatch_and_conflicting_runs(tmp_path):
    path = tmp_path / "bad.tfrecord"
    write_records(path, [payload(CHAIN, 108, 1000, CHAIN_RUNS[0], module_hash=FORK.graph_hash())])
    assert list(read_nb101_tfrecord(path))[0].hash == FORK.graph_hash()  # hashes are trusted by default
    with pytest.raises(ValueError, match=f"hash {FORK.graph_hash()} in .* does not match its cell"):
        list(read_nb101_tfrecord(path, verify_hashes=True))
    write_records(path, [payload(CHAIN, 108, 1000, CHAIN_RUNS[0]), payload(FORK, 108, 1000, FORK_RUNS[0], CHAIN.graph_hash())])
    with pytest.raises(ValueError, match=f"record 1 of .*: hash {CHAIN.graph_hash()} was seen before with another cell"):
        list(read_nb101_tfrecord(path))
    write_records(path, [payload(CHAIN, 108, 1000, CHAIN_RUNS[0]), payload(CHAIN, 108, 999, CHAIN_RUNS[1])])
    with pytest.raises(ValueError, match="was seen before with another cell or parameter count"):
        list(read_nb101_tfrecord(path))


def test_tfrecord_runs_may_number_the_nodes_differently(tmp_path):
    renumbered = NB101Cell.parse("0110/0001/0001/0000|input,maxpool3x3,conv1x1-bn-relu,output")
    assert renumbered != FORK and renumbered.graph_hash() == FORK.graph_hash()
    path = tmp_path / "r.tfrecord"
    write_records(path, [payload(FORK, 108, 7, FORK_RUNS[0]), payload(renumbered, 108, 7, FORK_RUNS[1])])
    (record,) = read_nb101_tfrecord(path)
    assert record.cell == FORK and record.n_runs == 2 and record.val_acc == pytest.approx(91.0)


# -- official dict format ------------------------------------------------------------------------


def _official_entry(cell: NB101Cell, runs: list[dict]) -> dict:
    return {
        "module_adjacency": cell.matrix.tolist(),
        "module_operations": list(cell.ops),
        "trainable_parameters": 123,
        "computed_metrics": {"108": runs},
    }


RUN = {"final_validation_accuracy": 0.5, "final_test_accuracy": 0.25, "final_training_time": 10.0}


@pytest.mark.parametrize(
    "content, message",
    [
        ([1, 2], "must hold a JSON object"),
        ({CHAIN.graph_hash(): [1]}, "must be an object with computed_metrics"),
        ({"ABC": _official_entry(CHAIN, [RUN])}, "hash 'ABC' .* the key is not 32 lowercase hex digits"),
        ({FORK.graph_hash(): _official_entry(CHAIN, [RUN])}, "does not match its cell"),
        (
            {CHAIN.graph_hash(): {**_official_entry(CHAIN, [RUN]), "computed_metrics": {"4": [RUN]}}},
            "has no runs at 108 epochs; epoch budgets present: 4",
        ),
        (
            {CHAIN.graph_hash(): _official_entry(CHAIN, [{"final_validation_accuracy": 0.5}])},
            "run 0 at 108 epochs lacks 'final_test_accuracy'",
        ),
        (
            {CHAIN.graph_hash(): _official_entry(CHAIN, [{**RUN, "final_training_time": "long"}])},
            "run 0 has non-numeric final_training_time 'long'",
        ),
        (
            {CHAIN.graph_hash(): _official_entry(CHAIN, [{**RUN, "final_validation_accuracy": 93.1}])},
            r"accuracy 93.1 is not a fraction in \[0, 1\]",
        ),
        (
            {CHAIN.graph_hash(): {**_official_entry(CHAIN, [RUN]), "module_operations": ["input", "conv", "output"]}},
            "op 'conv' at node 1 is not an NB101 op",
        ),
        ({CHAIN.graph_hash(): {"computed_metrics": {}}}, "lacks module_adjacency, module_operations, trainable_parameters"),
    ],
)
def test_malformed_official_json_is_named(tmp_path, content, message):
    path = tmp_path / "official.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message):
        read_nb101_official_json(path)


def test_official_json_reader_on_a_written_file(tmp_path):
    path = tmp_path / "official.json"
    runs = [RUN, {**RUN, "final_validation_accuracy": 0.7}]
    path.write_text(json.dumps({CHAIN.graph_hash(): _official_entry(CHAIN, runs)}))
    (record,) = read_nb101_official_json(path)
    assert isinstance(record, NB101Record)
    assert (record.cell, record.hash, record.params, record.n_runs) == (CHAIN, CHAIN.graph_hash(), 123, 2)
    assert (record.val_acc, record.test_acc, record.train_time) == (pytest.approx(60.0), 25.0, 10.0)


def test_pickle_reader_errors(tmp_path):
    path = tmp_path / "bad.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="is not a readable NB101 pickle"):
        read_nb101_pickle(path)
    path.write_bytes(pickle.dumps({CHAIN.graph_hash(): [1, 2, 3]}))
    with pytest.raises(ValueError, match=r"must be a \(fixed_stats, computed_stats\) pair"):
        read_nb101_pickle(path)
    path.write_bytes(pickle.dumps([1]))
    with pytest.raises(ValueError, match="must hold a dict"):
        read_nb101_pickle(path)


def test_naslib_reader_errors(tmp_path):
    path = tmp_path / "naslib.json"
    path.write_text(json.dumps({"other": {}}))
    with pytest.raises(ValueError, match="expected a top-level key 'nasbench101'"):
        read_naslib_nb101_json(path)
    key = str(CHAIN.to_naslib_tuple())
    path.write_text(json.dumps({"nasbench101": {"cifar10": {key: {"val_accuracy": 0.93}}}}))
    with pytest.raises(ValueError, match=r"lies in \[0, 1\]: these look like fractions"):
        read_naslib_nb101_json(path)
    with pytest.raises(ValueError, match="has no NB101 dataset 'cifar100'; accepted: cifar10"):
        read_naslib_nb101_json(path, dataset="cifar100")
    for entry, message in [
        ({"val_accuracy": 120.0}, r"accuracy 120.0 is not a percentage in \[0, 100\]"),
        ({"snip": 1.0}, "lacks 'val_accuracy'"),
        ({"val_accuracy": 90.0, "snip": "big"}, "proxy 'snip' has non-numeric score 'big'"),
    ]:
        path.write_text(json.dumps({"nasbench101": {"cifar10": {key: entry}}}))
        with pytest.raises(ValueError, match=message):
            read_naslib_nb101_json(path)
    path.write_text(json.dumps({"nasbench101": {"cifar10": {"(0, 1, 0, 0, 0, 7)": {"val_accuracy": 90.0}}}}))
    with pytest.raises(ValueError, match=r"entry '\(0, 1, 0, 0, 0, 7\)' .* op code 7 at node 1"):
        read_naslib_nb101_json(path)
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match=r"is not a \(gzipped\) JSON file"):
        read_naslib_nb101_json(path)


# -- load_nb101 ----------------------------------------------------------------------------------


def test_load_nb101_rejects_unknown_sources(tmp_path):
    with pytest.raises(ValueError, match="unknown NB101 source 'naslib50'; accepted: naslib500, official30, or a path"):
        load_nb101("naslib50")
    with pytest.raises(ValueError, match=r"unknown NB101 source .*cells.csv"):
        load_nb101(tmp_path / "cells.csv")
    with pytest.raises(FileNotFoundError, match="missing.json does not exist"):
        load_nb101(tmp_path / "missing.json")


def test_load_nb101_missing_named_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    with pytest.raises(MissingDataError, match="nb101/naslib_zc_nasbench101_500.json.gz' is missing .*tgnas data fetch"):
        load_nb101("naslib500")


def test_load_nb101_tells_json_formats_apart(tmp_path):
    official = tmp_path / "a.json"
    official.write_text(json.dumps({CHAIN.graph_hash(): _official_entry(CHAIN, [RUN])}))
    assert load_nb101(official)[0].n_runs == 1 and load_nb101(official)[0].params == 123
    naslib = tmp_path / "b.json"
    naslib.write_text(json.dumps({"nasbench101": {"cifar10": {str(FORK.to_naslib_tuple()): {"val_accuracy": 91.0, "snip": 2.0}}}}))
    (record,) = load_nb101(str(naslib))
    assert (record.cell, record.val_acc, record.proxies, record.params) == (FORK, 91.0, {"snip": 2.0}, None)


# -- golden values from the real files -----------------------------------------------------------


@pytest.mark.real_data
def test_naslib500_golden_values():
    records = load_nb101("naslib500")
    assert len(records) == 500
    accuracies = [r.val_acc for r in records]
    assert min(accuracies) == pytest.approx(73.37740659713745)
    assert max(accuracies) == pytest.approx(94.71153616905212)
    assert all(r.n_runs == 1 and r.test_acc is None and r.params is None for r in records)
    assert all(r.hash == r.cell.graph_hash() for r in records)
    # the keys are 500 distinct unpruned specs: they prune to 301 cells with 292 distinct hashes
    assert len({r.cell for r in records}) == 301 and len({r.hash for r in records}) == 292
    proxy_names = {"flops", "params", "snip", "jacov", "grad_norm", "plain", "epe_nas", "fisher", "grasp", "l2_norm", "synflow"}
    assert all(set(r.proxies) == proxy_names for r in records)
    first = records[0]
    assert first.val_acc == 92.578125 and first.proxies["params"] == 4.095778 and first.proxies["flops"] == 624.55808


@pytest.mark.real_data
def test_naslib500_runs_of_one_hash_come_from_three_seeds():
    # NASLib queried the benchmark by hash, which draws one of a cell's 3 runs: if pruning or hashing
    # merged different cells, a hash would show more than 3 distinct accuracies
    by_hash: dict[str, set[float]] = {}
    for record in load_nb101("naslib500"):
        by_hash.setdefault(record.hash, set()).add(record.val_acc)
    assert max(len(values) for values in by_hash.values()) == 3
    assert len(by_hash["4a0ab8bbe2441a002e07b0f445ec2d63"]) == 1


@pytest.mark.real_data
def test_official30_golden_values():
    records = load_nb101("official30")
    assert len(records) == 30 and len({r.hash for r in records}) == 30
    assert all(r.hash == r.cell.graph_hash() and r.n_runs == 3 for r in records)
    assert sorted({r.cell.n_nodes for r in records}) == [6, 7]
    first = records[0]
    assert first.hash == "ff92c322c5d9d3d587d9c146a63d0807" and first.params == 6315018
    assert first.val_acc == pytest.approx(100 * (0.9255809187889099 + 0.9279847741127014 + 0.9246794581413269) / 3)
    assert first.test_acc == pytest.approx(100 * (0.9231770634651184 + 0.9192708134651184 + 0.9205729365348816) / 3)
    assert first.train_time == pytest.approx((1396.137939453125 + 1395.739990234375 + 1386.18310546875) / 3)


@pytest.mark.real_data
def test_official30_means_match_the_raw_runs():
    raw = json.loads(data_file("nb101/nb101_dummy_30.json").read_text())
    for record in load_nb101("official30"):
        runs = raw[record.hash]["computed_metrics"]["108"]
        assert record.val_acc == pytest.approx(100 * np.mean([r["final_validation_accuracy"] for r in runs]))
        assert record.test_acc == pytest.approx(100 * np.mean([r["final_test_accuracy"] for r in runs]))
        assert 0 < record.test_acc < 100 and record.params == raw[record.hash]["trainable_parameters"]


@pytest.mark.real_data
def test_pickle_and_json_readers_agree():
    from_json = read_nb101_official_json(data_file("nb101/nb101_dummy_30.json"))
    from_pickle = read_nb101_pickle(data_file("nb101/naslib_nb101_dummy_30.pkl"))
    assert from_json == from_pickle
