"""Bad input for every loader of `tgnas.data`: damaged files built here, one `DataFileError` each.

Every case writes a corrupt file (truncated, garbled, plain text, wrong rows, duplicate keys, NaN,
wrong dtype …) into a data directory under tmp_path (or at a plain path), calls the loader, and
checks that the error is a `DataFileError` on one line that names the file, and — for a file of
the data directory — the `tgnas data fetch --only …` command that repairs it. The CLI runs at the
end check the same from outside: exit code, one line on stderr, no traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tgnas.data import integrity
from tgnas.data.cifar import CIFAR10_CLASSES, load_cifar10
from tgnas.data.derive import gzip_bytes
from tgnas.data.fetch import CheckResult, check, check_cifar10_subset, check_report
from tgnas.data.hw import HW_METRICS, load_hw_metrics
from tgnas.data.integrity import DataFileError
from tgnas.data.manifest import MANIFEST
from tgnas.data.nb101 import load_nb101, read_nb101_pickle, read_nb101_tfrecord
from tgnas.data.nb201 import COLUMNS, NB201Table, load_nb201_table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.data.paths import ENV_VAR, data_file
from tgnas.data.zc import ZC_PROXIES, load_zc_partial, load_zc_proxies
from tgnas.spaces.nb201 import NB201Space

TABLE = "nb201/nb201_all_15625.csv.gz"
REAL_DATA = Path(os.environ.get(ENV_VAR, "."))  # before any test points the variable at its own directory
CELLS = list(NB201Space().all_cells())


# -- valid-looking content, built here --------------------------------------------------------------
def _nb201_frame() -> pd.DataFrame:
    frame = pd.DataFrame({column: np.linspace(1.0, 90.0, len(CELLS)) for column in COLUMNS})
    frame["nb201_index"] = np.arange(len(CELLS))
    frame["arch_str"] = [str(cell) for cell in CELLS]
    frame["naslib_op_indices"] = [str(cell.to_naslib_tuple()) for cell in CELLS]
    frame["in_nbsz_valid_set"] = True
    return frame


NB201_FRAME = _nb201_frame()
NETS = [str(cell.to_naslib_tuple()) for cell in CELLS]


def _csv_gz(frame: pd.DataFrame) -> bytes:
    return gzip_bytes(frame.to_csv(index=False).encode())


def _hw_frame(rows: int = 15_625) -> pd.DataFrame:
    return pd.DataFrame({"net": NETS[:rows], **{m: np.full(rows, 2.5) for m in HW_METRICS}})


def _zc_frame(rows: int = 9_445) -> pd.DataFrame:
    return pd.DataFrame({"net": NETS[:rows], **{p: np.full(rows, 0.5) for p in ZC_PROXIES}})


def _with(frame: pd.DataFrame, column: str, row: int, value: object) -> pd.DataFrame:
    changed = frame.copy()
    changed[column] = changed[column].astype(object)
    changed.loc[row, column] = value
    return changed


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbled(data: bytes) -> bytes:
    middle = bytearray(data)
    for i in range(len(middle) // 3, len(middle) // 3 + 64):
        middle[i] ^= 0x5A
    return bytes(middle)


def _png_tar_gz(split: str = "test") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for label, name in enumerate(CIFAR10_CLASSES):
            image = io.BytesIO()
            Image.fromarray(np.full((32, 32, 3), label * 20, np.uint8)).save(image, format="PNG")
            info = tarfile.TarInfo(f"{split}/{name}/0000.png")
            info.size = len(image.getvalue())
            archive.addfile(info, io.BytesIO(image.getvalue()))
    return buffer.getvalue()


def _npz() -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, x=np.zeros((1000, 32, 32, 3), np.uint8), y=np.repeat(np.arange(10), 100).astype(np.uint8), classes=np.array(CIFAR10_CLASSES)
    )
    return buffer.getvalue()


def _zc_partial_json(cells: int = 725, val: object = 90.0, duplicate: bool = False) -> bytes:
    def records(n: int) -> str:
        items = [
            f'"{NETS[i]}": {json.dumps({"val_accuracy": val if i == 3 else 90.0, "snip": {"score": 1.0, "time": 0.1}})}' for i in range(n)
        ]
        if duplicate:
            items.append(items[0])
        return "{" + ", ".join(items) + "}"

    text = "{" + ", ".join(f'"{d}": {records(n)}' for d, n in (("cifar10", cells), ("cifar100", 725), ("ImageNet16-120", 724))) + "}"
    return gzip_bytes(text.encode())


# -- the cases ------------------------------------------------------------------------------------
#: (id, file written (relative to the data directory, or "path:NAME" for a file outside it), its bytes, the call, expected)
Case = tuple[str, str, Callable[[], bytes], Callable[[Path], object], str]


def _table(path: Path) -> NB201Table:
    return load_nb201_table(path)


def _synthetic_table() -> NB201Table:
    return NB201Table(NB201_FRAME)


NB201_CASES: list[Case] = [
    ("nb201-truncated", "path:table.csv.gz", lambda: _truncated(_csv_gz(NB201_FRAME)), _table, "is truncated"),
    (
        "nb201-garbled",
        "path:table.csv.gz",
        lambda: _garbled(_csv_gz(NB201_FRAME)),
        _table,
        "corrupt compressed data|truncated|not a well-formed CSV|cannot be read",
    ),
    ("nb201-plain-text", "path:table.csv.gz", lambda: b"this is not a table\n", _table, "is not gzip-compressed"),
    ("nb201-empty", "path:table.csv.gz", lambda: b"", _table, "is empty"),
    ("nb201-wrong-rows", "path:table.csv.gz", lambda: _csv_gz(NB201_FRAME.head(1000)), _table, "has 1,000 rows, expected 15,625"),
    (
        "nb201-missing-column",
        "path:table.csv.gz",
        lambda: _csv_gz(NB201_FRAME.drop(columns="zen_cifar10")),
        _table,
        r"lacks the columns \['zen_cifar10'\]",
    ),
    (
        "nb201-duplicate-key",
        "path:table.csv.gz",
        lambda: _csv_gz(_with(NB201_FRAME, "arch_str", 1, NB201_FRAME["arch_str"][0])),
        _table,
        r"duplicate key arch_str '\|none~0\|\+\|none~0\|none~1\|\+\|none~0\|none~1\|none~2\|' at row 1 \(line 3 of the CSV\) \(first at row 0",
    ),
    (
        "nb201-nan-label",
        "path:table.csv.gz",
        lambda: _csv_gz(_with(NB201_FRAME, "test_acc_200ep_cifar10", 7, np.nan)),
        _table,
        r"NaN in column test_acc_200ep_cifar10 at row 7",
    ),
    (
        "nb201-inf",
        "path:table.csv.gz",
        lambda: _csv_gz(_with(NB201_FRAME, "val_acc_200ep_cifar100", 9, np.inf)),
        _table,
        r"infinite value in column val_acc_200ep_cifar100 at row 9",
    ),
    (
        "nb201-wrong-dtype",
        "path:table.csv.gz",
        lambda: _csv_gz(_with(NB201_FRAME, "params_M_cifar10", 5, "abc")),
        _table,
        r"non-numeric value 'abc' in column params_M_cifar10 at row 5",
    ),
    (
        "nb201-out-of-order",
        "path:table.csv.gz",
        lambda: _csv_gz(_with(NB201_FRAME, "nb201_index", 4, 40)),
        _table,
        r"not in nb201_index order: row 4 holds index 40",
    ),
    ("nb201-data-dir-modified", TABLE, lambda: _csv_gz(NB201_FRAME), lambda _: load_nb201_table(), "does not have the content pinned"),
    ("nb201-data-dir-truncated", TABLE, lambda: _truncated(_csv_gz(NB201_FRAME)), lambda _: load_nb201_table(), "is truncated"),
]

HW = "hw_nas_bench/hw_cifar10.csv.gz"
_hw = lambda _: load_hw_metrics("cifar10", _synthetic_table())  # noqa: E731
HW_CASES: list[Case] = [
    ("hw-truncated", HW, lambda: _truncated(_csv_gz(_hw_frame())), _hw, "is truncated"),
    ("hw-plain-text", HW, lambda: b"net,edgegpu_latency\n", _hw, "is not gzip-compressed"),
    ("hw-wrong-rows", HW, lambda: _csv_gz(_hw_frame(100)), _hw, "has 100 rows, expected 15,625"),
    ("hw-nan", HW, lambda: _csv_gz(_with(_hw_frame(), "fpga_energy", 3, np.nan)), _hw, "NaN in column fpga_energy at row 3"),
    (
        "hw-wrong-dtype",
        HW,
        lambda: _csv_gz(_with(_hw_frame(), "pixel3_latency", 2, "fast")),
        _hw,
        "non-numeric value 'fast' in column pixel3_latency",
    ),
    ("hw-duplicate-key", HW, lambda: _csv_gz(_with(_hw_frame(), "net", 8, NETS[2])), _hw, r"duplicate key net '\(.*\)' at row 8"),
    ("hw-unknown-cell", HW, lambda: _csv_gz(_with(_hw_frame(), "net", 0, "(9, 9, 9, 9, 9, 9)")), _hw, "does not have the content pinned"),
]

ZC = "nb201_zc/nb201_zc_proxies.csv.gz"
_zc = lambda _: load_zc_proxies("cifar10", _synthetic_table())  # noqa: E731
ZC_PARTIAL = "nb201_zc/naslib_zc_nasbench201_partial725.json.gz"
_partial = lambda _: load_zc_partial("cifar10", _synthetic_table())  # noqa: E731
ZC_CASES: list[Case] = [
    ("zc-csv-truncated", ZC, lambda: _truncated(_csv_gz(_zc_frame())), _zc, "is truncated"),
    ("zc-csv-wrong-rows", ZC, lambda: _csv_gz(_zc_frame(1000)), _zc, "has 1,000 rows, expected 9,445"),
    ("zc-csv-duplicate-key", ZC, lambda: _csv_gz(_with(_zc_frame(), "net", 5, NETS[0])), _zc, "duplicate key net"),
    ("zc-csv-nan", ZC, lambda: _csv_gz(_with(_zc_frame(), "synflow", 11, np.nan)), _zc, "NaN in column synflow at row 11"),
    ("zc-json-truncated", ZC_PARTIAL, lambda: _truncated(_zc_partial_json()), _partial, "is truncated"),
    ("zc-json-plain-text", ZC_PARTIAL, lambda: b'{"cifar10": {}}', _partial, "is not gzip-compressed"),
    ("zc-json-not-json", ZC_PARTIAL, lambda: gzip_bytes(b"{not json"), _partial, "is not valid JSON"),
    ("zc-json-wrong-cells", ZC_PARTIAL, lambda: _zc_partial_json(cells=100), _partial, "cifar10 must hold 725 cells, it holds 100"),
    ("zc-json-duplicate-key", ZC_PARTIAL, lambda: _zc_partial_json(duplicate=True), _partial, r"lists key '\(.*\)' twice"),
    (
        "zc-json-nan",
        ZC_PARTIAL,
        lambda: _zc_partial_json(val=float("nan")),
        _partial,
        "val_accuracy of cell .* is nan, not a finite number",
    ),
]

NB101_CASES: list[Case] = [
    (
        "nb101-naslib-truncated",
        "nb101/naslib_zc_nasbench101_500.json.gz",
        lambda: _truncated(gzip_bytes(b'{"nasbench101": {"cifar10": {}}}' * 50)),
        lambda _: load_nb101("naslib500"),
        "truncated",
    ),
    (
        "nb101-official-garbage",
        "nb101/nb101_dummy_30.json",
        lambda: b"\x00\xff garbage",
        lambda _: load_nb101("official30"),
        "is not a \\(gzipped\\) JSON file",
    ),
    (
        "nb101-official-modified",
        "nb101/nb101_dummy_30.json",
        lambda: b"{}",
        lambda _: load_nb101("official30"),
        "does not have the content pinned",
    ),
    (
        "nb101-pickle-modified",
        "nb101/naslib_nb101_dummy_30.pkl",
        lambda: b"\x80\x04garbage",
        lambda path: read_nb101_pickle(path),
        "does not have the content pinned",
    ),
    (
        "nb101-pickle-outside",
        "path:cells.pkl",
        lambda: b"\x80\x04K",
        lambda path: read_nb101_pickle(path),
        "is not a readable NB101 pickle",
    ),
    (
        "nb101-tfrecord-truncated",
        "path:runs.tfrecord",
        lambda: b"\x05\x00\x00\x00\x00\x00\x00\x00",
        lambda path: list(read_nb101_tfrecord(path, show_progress=False)),
        "truncated",
    ),
]

NB301_CASES: list[Case] = [
    (
        "nb301-model-garbage",
        "nb301/yahpo_nb301_v2/model_v2.onnx",
        lambda: b"not onnx",
        lambda _: NB301Surrogate.load(),
        "does not have the content pinned",
    ),
]

CIFAR_TAR = "cifar10/cifar10_test_jpg.tar.gz"
CIFAR_NPZ = "cifar10/cifar10_test_subset1000.npz"
CIFAR_CASES: list[Case] = [
    (
        "cifar-data-dir-tar-truncated",
        CIFAR_TAR,
        lambda: _truncated(_png_tar_gz()),
        lambda _: load_cifar10("test"),
        "truncated|not a readable tar",
    ),
    (
        "cifar-tar-truncated",
        "path:images.tar.gz",
        lambda: _truncated(_png_tar_gz()),
        lambda path: load_cifar10("test", path),
        "truncated|not a readable tar",
    ),
    (
        "cifar-tar-garbage",
        "path:images.tar",
        lambda: b"plain text, not a tar\n" * 30,
        lambda path: load_cifar10("test", path),
        "is not a tar archive",
    ),
    ("cifar-npz-truncated", CIFAR_NPZ, lambda: _truncated(_npz()), check_cifar10_subset, "not a readable .npz archive"),
    ("cifar-npz-garbage", CIFAR_NPZ, lambda: b"not an npz", check_cifar10_subset, "not a readable .npz archive"),
]

CASES = NB201_CASES + HW_CASES + ZC_CASES + NB101_CASES + NB301_CASES + CIFAR_CASES


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv(ENV_VAR, str(root))
    return root


def _write(root: Path, target: str, content: bytes) -> tuple[Path, str | None]:
    if target.startswith("path:"):
        path, relative = root.parent / target.removeprefix("path:"), None
    else:
        path, relative = root / target, target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path, relative


@pytest.mark.parametrize(("target", "content", "call", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_damaged_file_is_one_data_file_error_naming_it(data_root, target, content, call, expected):
    path, relative = _write(data_root, target, content())
    with pytest.raises(DataFileError, match=expected) as caught:
        call(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and caught.value.path == path
    if relative is not None:
        assert f"tgnas data fetch --only {relative}" in message


def test_every_loader_of_the_data_layer_has_a_case():
    written = {case[1] for case in CASES}
    for relative in (
        TABLE,
        HW,
        ZC,
        ZC_PARTIAL,
        CIFAR_TAR,
        CIFAR_NPZ,
        "nb101/naslib_zc_nasbench101_500.json.gz",
        "nb101/nb101_dummy_30.json",
        "nb101/naslib_nb101_dummy_30.pkl",
        "nb301/yahpo_nb301_v2/model_v2.onnx",
    ):
        assert relative in written, relative
    assert {"path:table.csv.gz", "path:runs.tfrecord", "path:images.tar.gz"} <= written
    assert len(CASES) == len({case[0] for case in CASES})


@pytest.mark.real_data
def test_a_damaged_encoding_beside_an_intact_model_names_the_encoding(data_root):
    model = "nb301/yahpo_nb301_v2/model_v2.onnx"
    (data_root / model).parent.mkdir(parents=True)
    (data_root / model).write_bytes((REAL_DATA / model).read_bytes())
    (data_root / "nb301/yahpo_nb301_v2/encoding_v2.json").write_text("{not json")
    with pytest.raises(
        DataFileError, match=r"encoding_v2\.json is not valid JSON .*tgnas data fetch --only nb301/yahpo_nb301_v2/encoding_v2\.json"
    ):
        NB301Surrogate.load()


# -- the checksum verdict is cached, and a changed file is checked again -------------------------
def test_checksum_verdict_is_cached_by_size_and_mtime(data_root, monkeypatch):
    path, relative = _write(data_root, HW, b"x")
    calls = []
    real = integrity.check_checksum
    monkeypatch.setattr(integrity, "check_checksum", lambda entry, file: calls.append(file) or real(entry, file))
    for _ in range(3):
        with pytest.raises(DataFileError):
            integrity.verify_checksum(path, relative)
    assert len(calls) == 1
    path.write_bytes(b"xy")
    with pytest.raises(DataFileError):
        integrity.verify_checksum(path, relative)
    assert len(calls) == 2


# -- data check ----------------------------------------------------------------------------------
def _results(statuses: dict[str, str]) -> list[CheckResult]:
    return [CheckResult(e.relative, statuses.get(e.relative, "ok"), "detail", e.default) for e in MANIFEST]


def test_check_report_summarises_and_fails_on_an_optional_bad_file(tmp_path):
    optional = [e.relative for e in MANIFEST if not e.default]
    lines, code = check_report(_results({optional[0]: "bad"} | dict.fromkeys(optional[1:], "missing")), tmp_path)
    assert lines[0] == f"data directory: {tmp_path}" and len(lines) == len(MANIFEST) + 3
    assert lines[-2] == f"{len(MANIFEST) - len(optional)} ok, 1 bad, 0 missing, {len(optional) - 1} optional missing"
    assert lines[-1] == f"repair with `tgnas data fetch --only {optional[0]}`" and code == 1
    lines, code = check_report(_results(dict.fromkeys(optional, "missing")), tmp_path)
    assert code == 0 and lines[-1].endswith(f"0 bad, 0 missing, {len(optional)} optional missing")


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_check_report_says_once_that_the_directory_is_unusable(tmp_path, monkeypatch, kind):
    root = tmp_path / "nothing-here"
    if kind == "file":
        root.write_text("not a directory")
    monkeypatch.setenv(ENV_VAR, str(root))
    lines, code = check_report(check(root), root)
    what = "is a file, not a directory" if kind == "file" else "does not exist"
    assert code == 1 and len(lines) == 2 and f"{root} (${ENV_VAR}={root}) {what}" in lines[0]
    with pytest.raises(FileNotFoundError, match=f"the data directory {root} .*{what}, so benchmark file 'nb201/"):
        data_file(TABLE)


def test_check_never_crashes_on_a_damaged_file(tmp_path):
    _write(tmp_path, CIFAR_NPZ, _truncated(_npz()))
    _write(tmp_path, TABLE, b"\x1f\x8b\x08 broken")
    status = {r.relative: r for r in check(tmp_path)}
    assert status[CIFAR_NPZ].status == "bad" and "not a readable .npz archive" in status[CIFAR_NPZ].detail
    assert status[TABLE].status == "bad"


# -- the CLI, from outside -----------------------------------------------------------------------
def _tgnas(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, ENV_VAR: str(data)}
    return subprocess.run([sys.executable, "-m", "tgnas", *args], capture_output=True, text=True, env=environment, timeout=300)


def test_cli_data_check_reports_a_damaged_file_without_a_traceback(data_root):
    _write(data_root, CIFAR_NPZ, _truncated(_npz()))
    run = _tgnas("data", "check", data=data_root)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    [line] = [line for line in run.stdout.splitlines() if CIFAR_NPZ in line]
    assert line.startswith("bad") and "not a readable .npz archive" in line


def test_cli_command_on_a_damaged_table_exits_2_with_one_line(data_root):
    _write(data_root, TABLE, _truncated(_csv_gz(NB201_FRAME)))
    run = _tgnas("search", "--space", "nb201", "--method", "random", "--queries", "5", "--seed", "0", "--json", data=data_root)
    assert run.returncode == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith("tgnas: error: bad data file: ") and str(data_root / TABLE) in line
    assert "is truncated" in line and f"tgnas data fetch --only {TABLE}" in line


def test_cli_command_with_the_data_directory_a_file_exits_2_with_one_line(tmp_path):
    not_a_directory = tmp_path / "data.txt"
    not_a_directory.write_text("")
    run = _tgnas("search", "--space", "nb201", "--method", "random", "--queries", "5", "--seed", "0", "--json", data=not_a_directory)
    assert run.returncode == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert f"{not_a_directory} (${ENV_VAR}={not_a_directory}) is a file, not a directory" in line
