"""`tgnas.data.fetch`, `.manifest`, `.derive`: manifest, mirror downloads, checksums, atomic writes,
derived files, `check`.

No test touches the internet: sources are file:// URLs into tmp_path, or 127.0.0.1:9 (discard port,
nothing listens) for the offline case.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import pickle
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas.data import fetch as fetching
from tgnas.data import manifest
from tgnas.data.derive import (
    CIFAR10_CLASSES,
    DERIVED_FILES,
    DataCheckError,
    cifar10_subset_from_python_tarball,
    gzip_bytes,
)
from tgnas.data.fetch import (
    ChecksumError,
    NoSourceError,
    OfflineError,
    build,
    check,
    check_cifar10_subset,
    fetch,
    mirror_base,
    verify,
)
from tgnas.data.manifest import MANIFEST, Checksum, ManifestEntry, select
from tgnas.data.nb201 import COLUMNS
from tgnas.data.paths import data_dir, data_file

SMALL_VERBATIM = "nb301/yahpo_nb301_v2/best_params_v2.json"
SMALL_GZIP = "nb101/naslib_zc_nasbench101_500.json.gz"
SMALL_PICKLE = "nb101/naslib_nb101_dummy_30.pkl"
NB201_TABLE = "nb201/nb201_all_15625.csv.gz"


@pytest.fixture(autouse=True)
def _no_env_mirror(monkeypatch):
    monkeypatch.delenv(fetching.MIRROR_ENV_VAR, raising=False)


def _copy_into(root: Path, relatives: list[str]) -> None:
    for relative in relatives:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_file(relative), root / relative)


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.part")]


# -- manifest ------------------------------------------------------------------------------------
def test_every_entry_can_be_verified_and_inputs_come_first():
    seen: set[str] = set()
    for entry in MANIFEST:
        assert entry.checksum is not None or entry.relative in fetching._CONTENT_CHECKS, entry.relative
        assert entry.storage in ("verbatim", "gzip")
        assert (entry.url is None) == (entry.derived_from != () or entry.mirror_only), entry.relative
        if entry.mirror_only:  # nothing can rebuild it, a plain fetch cannot provide it, and the note says why
            assert not entry.derived_from and not entry.default and entry.note, entry.relative
        assert all(source in seen for source in entry.derived_from), entry.relative
        if entry.url and "raw.githubusercontent.com" in entry.url:
            assert re.fullmatch(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/.+", entry.url)
        seen.add(entry.relative)
    md5 = [e.relative for e in MANIFEST if e.checksum and e.checksum.algorithm != "sha256"]
    assert md5 == ["cifar10/cifar-10-python.tar.gz"]


@pytest.mark.real_data
def test_manifest_agrees_with_sources_md():
    listing = data_file("SOURCES.md").read_text().split("## Full sha256", 1)[1]
    pinned = dict(reversed(line.split()) for line in re.findall(r"^[0-9a-f]{64}  \S+$", listing, flags=re.M))
    by_path = {e.relative: e for e in MANIFEST}
    assert set(pinned) <= set(by_path)
    for relative, file_sha256 in pinned.items():
        entry = by_path[relative]
        if entry.storage == "verbatim" and entry.checksum is not None:
            assert entry.checksum.hexdigest == file_sha256, relative
    # gzip-stored sources say so in SOURCES.md and name the raw file of the pinned commit
    assert {e.relative for e in MANIFEST if e.storage == "gzip"} == {r for r in pinned if r.endswith((".csv.gz", ".json.gz"))}


def test_every_derived_entry_has_a_builder():
    assert tuple(e.relative for e in MANIFEST if e.derived_from) == DERIVED_FILES


def test_select_defaults_groups_and_unknown_names():
    defaults = select()
    assert all(e.default for e in defaults) and len(defaults) == sum(e.default for e in MANIFEST)
    assert "nb101/nasbench_only108.tfrecord" not in {e.relative for e in defaults}
    assert [e.relative for e in select("nb101-full")] == ["nb101/nasbench_only108.tfrecord"]
    assert {e.relative for e in select(["hw_nas_bench", SMALL_VERBATIM])} == {
        "hw_nas_bench/hw_cifar10.csv.gz",
        "hw_nas_bench/hw_cifar100.csv.gz",
        "hw_nas_bench/hw_ImageNet16-120.csv.gz",
        SMALL_VERBATIM,
    }
    with pytest.raises(ValueError, match=r"unknown data file or group 'nb999'.*known groups: .*nb101-full.*known files: .*nb201/"):
        select(["nb201", "nb999"])


@pytest.mark.parametrize("bad", ["ftp://example.org/data", "no-such-directory"])
def test_mirror_must_be_a_url_or_a_directory(bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # so that the relative "no-such-directory" surely does not exist
    with pytest.raises(ValueError, match="neither an http"):
        mirror_base(bad)


def test_mirror_directory_becomes_a_file_url(tmp_path):
    assert mirror_base(tmp_path) == tmp_path.resolve().as_uri()
    assert mirror_base("https://example.org/data/") == "https://example.org/data"


# -- fetching from a mirror ----------------------------------------------------------------------
@pytest.mark.real_data
def test_fetch_from_file_mirror_is_identical_and_idempotent(tmp_path):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    wanted = [SMALL_VERBATIM, SMALL_GZIP, SMALL_PICKLE]
    _copy_into(mirror, wanted)
    first = fetch(only=wanted, mirror=mirror.as_uri(), directory=target, progress=False)
    assert [(r.relative, r.action) for r in first] == [(w, "downloaded") for w in sorted(wanted, key=[e.relative for e in MANIFEST].index)]
    for relative in wanted:
        assert (target / relative).read_bytes() == (mirror / relative).read_bytes()
    second = fetch(only=wanted, mirror=mirror.as_uri(), directory=target, progress=False)
    assert {r.action for r in second} == {"present"}
    assert _leftovers(target) == []


@pytest.mark.real_data
def test_mirror_from_environment_and_force_download_again(tmp_path, monkeypatch):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    _copy_into(mirror, [SMALL_VERBATIM])
    monkeypatch.setenv(fetching.MIRROR_ENV_VAR, mirror.as_uri())
    assert fetch(only=SMALL_VERBATIM, directory=target, progress=False)[0].action == "downloaded"
    assert fetch(only=SMALL_VERBATIM, directory=target, progress=False)[0].action == "present"
    assert fetch(only=SMALL_VERBATIM, directory=target, progress=False, force=True)[0].action == "downloaded"


@pytest.mark.real_data
def test_corrupt_local_copy_is_replaced(tmp_path):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    _copy_into(mirror, [SMALL_VERBATIM])
    (target / SMALL_VERBATIM).parent.mkdir(parents=True)
    (target / SMALL_VERBATIM).write_bytes(b"{}")
    [result] = fetch(only=SMALL_VERBATIM, mirror=mirror, directory=target, progress=False)
    assert result.action == "downloaded"
    assert (target / SMALL_VERBATIM).read_bytes() == data_file(SMALL_VERBATIM).read_bytes()


def test_tampered_mirror_file_raises_and_leaves_no_target(tmp_path):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    (mirror / SMALL_VERBATIM).parent.mkdir(parents=True)
    (mirror / SMALL_VERBATIM).write_bytes(b'{"tampered": true}')
    got = hashlib.sha256(b'{"tampered": true}').hexdigest()
    expected = manifest.manifest_entry(SMALL_VERBATIM).checksum.hexdigest
    with pytest.raises(ChecksumError, match=rf"{re.escape(SMALL_VERBATIM)}: expected sha256 {expected}, got {got}"):
        fetch(only=SMALL_VERBATIM, mirror=mirror.as_uri(), directory=target, progress=False)
    assert not (target / SMALL_VERBATIM).exists()
    assert _leftovers(target) == []


def test_mirror_file_that_is_not_gzip_raises_checksum_error(tmp_path):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    (mirror / SMALL_GZIP).parent.mkdir(parents=True)
    (mirror / SMALL_GZIP).write_bytes(b"plain text, not gzip")
    with pytest.raises(ChecksumError, match="uncompressed content .* got an unreadable gzip file"):
        fetch(only=SMALL_GZIP, mirror=mirror, directory=target, progress=False)
    assert not (target / SMALL_GZIP).exists()


def test_unreachable_source_raises_offline_error(tmp_path):
    target = tmp_path / "data"
    with pytest.raises(
        OfflineError, match=r"cannot download http://127\.0\.0\.1:9/nb301/.*offline or the source moved.*TGNAS_DATA.*--mirror"
    ):
        fetch(only=SMALL_VERBATIM, mirror="http://127.0.0.1:9", directory=target, progress=False)
    assert not (target / SMALL_VERBATIM).exists()
    assert _leftovers(target) == []


def test_file_missing_from_mirror_raises_offline_error(tmp_path):
    with pytest.raises(OfflineError, match="best_params_v2.json"):
        fetch(only=SMALL_VERBATIM, mirror=tmp_path.as_uri(), directory=tmp_path / "data", progress=False)


@pytest.mark.parametrize("relative", [e.relative for e in MANIFEST if e.mirror_only])
def test_mirror_only_file_named_by_path_needs_a_mirror(relative, tmp_path):
    with pytest.raises(NoSourceError, match=rf"^{re.escape(relative)} is mirror-only \(.+\); copy it into .*--mirror[^\n]*$"):
        fetch(only=relative, directory=tmp_path, progress=False)


@pytest.mark.real_data
def test_mirror_only_file_of_a_group_is_reported_unavailable(tmp_path):
    _copy_into(tmp_path, [e.relative for e in select("nb301") if not e.mirror_only])
    results = {r.relative: r for r in fetch(only="nb301", directory=tmp_path, progress=False)}
    unavailable = results.pop("nb301/naslib_zc_nasbench301_493.json.gz")
    assert unavailable.action == "unavailable" and "held-out" in unavailable.source and "--mirror" in unavailable.source
    assert {r.action for r in results.values()} == {"present"}


# -- fetching from the pinned source (pointed at a local file) -----------------------------------
@pytest.mark.real_data
def test_raw_csv_source_is_verified_uncompressed_and_stored_reproducibly(tmp_path, monkeypatch):
    relative = "hw_nas_bench/hw_cifar10.csv.gz"
    raw = gzip.decompress(data_file(relative).read_bytes())
    source = tmp_path / "hw_cifar10.csv"
    source.write_bytes(raw)
    entry = dataclasses.replace(manifest.manifest_entry(relative), url=source.as_uri())
    monkeypatch.setattr(manifest, "MANIFEST", tuple(entry if e.relative == relative else e for e in MANIFEST))
    monkeypatch.setitem(manifest._BY_PATH, relative, entry)
    target = tmp_path / "data"
    [result] = fetch(only=relative, directory=target, progress=False)
    assert (result.action, result.source) == ("downloaded", source.as_uri())
    stored = (target / relative).read_bytes()
    assert stored == gzip_bytes(raw) and stored[4:8] == b"\0\0\0\0"  # gzip header time 0
    source.write_bytes(raw.replace(b",", b";", 1))
    with pytest.raises(ChecksumError, match="uncompressed content"):
        fetch(only=relative, directory=target, progress=False, force=True)
    assert (target / relative).read_bytes() == stored  # the good copy survives a failed re-download


# -- derived files -------------------------------------------------------------------------------
@pytest.mark.real_data
def test_nb101_json_is_built_byte_identical_from_the_pickle(tmp_path):
    _copy_into(tmp_path, [SMALL_PICKLE])
    results = fetch(only="nb101/nb101_dummy_30.json", directory=tmp_path, progress=False)
    assert [(r.relative, r.action) for r in results] == [(SMALL_PICKLE, "present"), ("nb101/nb101_dummy_30.json", "built")]
    assert (tmp_path / "nb101/nb101_dummy_30.json").read_bytes() == data_file("nb101/nb101_dummy_30.json").read_bytes()


@pytest.mark.real_data
def test_nb201_table_rebuilt_from_sources_equals_the_shared_table(tmp_path):
    entry = manifest.manifest_entry(NB201_TABLE)
    _copy_into(tmp_path, list(entry.derived_from))
    results = fetch(only=NB201_TABLE, directory=tmp_path, progress=False)
    assert [r.action for r in results] == ["present"] * 4 + ["built"]
    rebuilt = pd.read_csv(tmp_path / NB201_TABLE)
    shared = pd.read_csv(data_file(NB201_TABLE))
    assert list(rebuilt.columns) == list(shared.columns) == list(COLUMNS)
    assert len(rebuilt) == 15_625
    for column in COLUMNS:
        if column.startswith(("params_M_", "flops_M_nbsz_")):
            np.testing.assert_allclose(rebuilt[column], shared[column], rtol=0, atol=1e-6, err_msg=column)
        else:
            assert rebuilt[column].equals(shared[column]), column
    # golden values: the best cifar10 cell and the valid-set size quoted in SOURCES.md
    assert rebuilt["test_acc_200ep_cifar10"].max() == pytest.approx(94.373333)
    assert int(rebuilt["in_nbsz_valid_set"].sum()) == 9_445
    assert gzip.decompress((tmp_path / NB201_TABLE).read_bytes()) == gzip.decompress(data_file(NB201_TABLE).read_bytes())


def _fake_cifar_tarball(path: Path, labels: np.ndarray) -> np.ndarray:
    """A cifar-10-python.tar.gz look-alike; returns its test images as (N, 32, 32, 3)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(len(labels), 32, 32, 3), dtype=np.uint8)
    rows = images.transpose(0, 3, 1, 2).reshape(len(labels), 3072)  # the official R, G, B planes
    members = {
        "cifar-10-batches-py/test_batch": {b"data": rows, b"labels": [int(v) for v in labels]},
        "cifar-10-batches-py/batches.meta": {b"label_names": [name.encode() for name in CIFAR10_CLASSES]},
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            payload = pickle.dumps(content)
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return images


def test_cifar10_subset_takes_the_first_100_of_each_class_in_file_order(tmp_path):
    labels = np.random.default_rng(1).integers(0, 10, size=1500)
    tarball = tmp_path / "cifar10/cifar-10-python.tar.gz"
    tarball.parent.mkdir()
    images = _fake_cifar_tarball(tarball, labels)
    path = build("cifar10/cifar10_test_subset1000.npz", tmp_path)
    check_cifar10_subset(path)
    with np.load(path) as subset:
        expected = np.concatenate([np.flatnonzero(labels == c)[:100] for c in range(10)])
        np.testing.assert_array_equal(subset["x"], images[expected])
        np.testing.assert_array_equal(subset["y"], labels[expected])
        assert tuple(subset["classes"]) == CIFAR10_CLASSES


def test_cifar10_subset_needs_100_images_per_class(tmp_path):
    tarball = tmp_path / "cifar.tar.gz"
    _fake_cifar_tarball(tarball, np.repeat(np.arange(10), 99))
    with pytest.raises(DataCheckError, match="class 'airplane' has 99 test images, need 100"):
        cifar10_subset_from_python_tarball(tarball)


def test_cifar10_subset_content_check_names_the_problem(tmp_path):
    path = tmp_path / "subset.npz"
    np.savez(path, x=np.zeros((1000, 32, 32, 3), np.float32), y=np.zeros(1000, np.uint8), classes=np.array(CIFAR10_CLASSES))
    with pytest.raises(DataCheckError, match=r"x must be uint8 of shape \(1000, 32, 32, 3\), got float32"):
        check_cifar10_subset(path)
    path.write_bytes(b"not an npz")
    with pytest.raises(DataCheckError, match="not a readable .npz"):
        check_cifar10_subset(path)


def test_build_rejects_a_file_that_is_not_derived(tmp_path):
    with pytest.raises(ValueError, match="is not a derived file; derived files: .*nb201_all_15625"):
        build(SMALL_VERBATIM, tmp_path)


# -- check ---------------------------------------------------------------------------------------
@pytest.mark.real_data
def test_check_reports_ok_missing_and_bad(tmp_path):
    _copy_into(tmp_path, [SMALL_VERBATIM, SMALL_GZIP])
    (tmp_path / "nb301/yahpo_nb301_v2/encoding_v2.json").write_text("{}")
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10/cifar10_test_jpg.tar.gz").write_bytes(b"truncated")
    status = {r.relative: r for r in check(tmp_path)}
    assert set(status) == {e.relative for e in MANIFEST}
    assert status[SMALL_VERBATIM].status == "ok" and status[SMALL_VERBATIM].ok
    assert status[SMALL_GZIP].detail == "sha256 matches"
    bad = status["nb301/yahpo_nb301_v2/encoding_v2.json"]
    assert bad.status == "bad" and not bad.ok and "expected sha256 b16bb8db" in bad.detail
    optional_bad = status["cifar10/cifar10_test_jpg.tar.gz"]
    assert optional_bad.status == "bad" and not optional_bad.required and not optional_bad.ok
    assert status[NB201_TABLE].status == "missing" and not status[NB201_TABLE].ok
    tfrecord = status["nb101/nasbench_only108.tfrecord"]
    assert tfrecord.status == "missing" and tfrecord.ok
    assert tfrecord.to_dict() == {
        "relative": tfrecord.relative,
        "status": "missing",
        "detail": tfrecord.detail,
        "required": False,
        "ok": True,
    }


@pytest.mark.real_data
def test_check_passes_on_the_shared_data_directory():
    results = check(data_dir())
    assert all(r.ok for r in results), [str(r) for r in results if not r.ok]
    assert all(r.status == "ok" for r in results if r.required)


def test_tfrecord_is_checked_record_by_record(tmp_path):
    from tgnas.data.tfrecord import write_records

    relative = "nb101/nasbench_only108.tfrecord"
    path = tmp_path / relative
    path.parent.mkdir()
    write_records(path, [b"first record", b"second record"])
    entry = manifest.manifest_entry(relative)
    verify(entry, path, thorough=True)
    assert {r.relative: r.status for r in check(tmp_path)}[relative] == "ok"
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF  # inside the first record's data: only the thorough check reads data CRCs
    path.write_bytes(bytes(data))
    verify(entry, path)
    with pytest.raises(DataCheckError, match="not an intact TFRecord file.*data CRC mismatch"):
        verify(entry, path, thorough=True)
    path.write_bytes(bytes(data[:-3]))
    assert {r.relative: r.status for r in check(tmp_path)}[relative] == "bad"


# -- properties ----------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(content=st.binary(min_size=1, max_size=2000), position=st.integers(min_value=0), storage=st.sampled_from(["verbatim", "gzip"]))
def test_any_changed_byte_fails_verification(tmp_path_factory, content, position, storage):
    entry = ManifestEntry("x/file.bin", None, Checksum("sha256", hashlib.sha256(content).hexdigest()), "test", storage=storage)
    path = tmp_path_factory.mktemp("verify") / "file.bin"
    path.write_bytes(gzip_bytes(content) if storage == "gzip" else content)
    verify(entry, path)
    changed = bytearray(content)
    changed[position % len(content)] ^= 0x01
    path.write_bytes(gzip_bytes(bytes(changed)) if storage == "gzip" else bytes(changed))
    with pytest.raises(ChecksumError, match="x/file.bin"):
        verify(entry, path)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=5000))
def test_gzip_bytes_is_deterministic_and_lossless(content):
    packed = gzip_bytes(content)
    assert packed == gzip_bytes(content) and gzip.decompress(packed) == content
