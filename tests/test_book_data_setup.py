"""`tgnas book run --fetch-data` (what `make book` runs): the book's missing benchmark files are fetched first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tgnas.book.data_setup import BOOK_FILES, DataSetupError, ensure_data, missing_files
from tgnas.data.manifest import MANIFEST


def _all_but(directory: Path, left_out: str) -> None:
    """Placeholders for every book file except ``left_out`` (presence is all ``missing_files`` looks at)."""
    for entry in BOOK_FILES:
        if entry.relative != left_out:
            (directory / entry.relative).parent.mkdir(parents=True, exist_ok=True)
            (directory / entry.relative).write_bytes(b"placeholder")


def test_the_book_needs_every_default_file_and_the_mirror_only_ones_but_not_the_optional_downloads():
    names = {entry.relative for entry in BOOK_FILES}
    assert {entry.relative for entry in MANIFEST if entry.default or entry.mirror_only} == names
    assert "nb101/nasbench_only108.tfrecord" not in names and "nb301/naslib_zc_nasbench301_493.json.gz" in names


def test_nothing_is_fetched_when_every_file_is_there(tmp_path):
    _all_but(tmp_path, left_out="")
    assert missing_files(tmp_path) == [] and ensure_data(tmp_path, mirror=str(tmp_path / "no-such-mirror")) == []


def test_a_failed_download_is_one_line_naming_the_missing_files_and_the_remedy(tmp_path):
    _all_but(tmp_path / "data", left_out="hw_nas_bench/hw_cifar10.csv.gz")
    (tmp_path / "mirror").mkdir()  # a mirror without the file: the download fails like an offline one
    with pytest.raises(DataSetupError) as caught:
        ensure_data(tmp_path / "data", mirror=str(tmp_path / "mirror"))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"the book needs 1 benchmark file(s) missing from {tmp_path / 'data'}: hw_nas_bench/hw_cifar10.csv.gz; ")
    assert message.endswith("set TGNAS_DATA to a directory that has them, or TGNAS_DATA_MIRROR to a copy of one, and rerun")
    assert not (tmp_path / "data" / "hw_nas_bench/hw_cifar10.csv.gz").exists()


@pytest.mark.real_data
def test_a_missing_file_is_fetched_and_verified_from_a_mirror(tmp_path):
    source = Path(os.environ["TGNAS_DATA"])
    _all_but(tmp_path, left_out="hw_nas_bench/hw_cifar10.csv.gz")
    [line] = ensure_data(tmp_path, mirror=str(source))
    assert line.startswith("downloaded hw_nas_bench/hw_cifar10.csv.gz")
    assert (tmp_path / "hw_nas_bench/hw_cifar10.csv.gz").read_bytes() == (source / "hw_nas_bench/hw_cifar10.csv.gz").read_bytes()
