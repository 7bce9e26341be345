"""Atomic writes leave either the old file or the complete new one, never a partial file."""

from __future__ import annotations

import os
import stat

import pytest

from tgnas.atomic import atomic_output, atomic_path, write_bytes_atomic, write_text_atomic


def test_written_files_replace_the_target(tmp_path):
    target = tmp_path / "sub" / "file.txt"
    write_text_atomic(target, "first")
    write_text_atomic(target, "second")
    assert target.read_text() == "second"
    assert write_bytes_atomic(target, b"\x00\x01").read_bytes() == b"\x00\x01"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="interrupted"), atomic_output(target) as stream:
        stream.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_bad_mode_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w', got 'a'"), atomic_output(tmp_path / "x", "a"):
        pass


def test_atomic_path_lets_the_finished_file_be_checked_before_it_replaces_the_target(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(ValueError, match="checksum mismatch"), atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.read_bytes() == b""
        temporary.write_bytes(b"corrupt")
        raise ValueError("checksum mismatch")  # what a verification of the finished file raises
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]
    with atomic_path(target) as temporary:
        temporary.write_bytes(b"verified")
    assert target.read_bytes() == b"verified"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_new_files_get_the_permissions_the_umask_allows(tmp_path):
    previous = os.umask(0o027)
    try:
        written = write_bytes_atomic(tmp_path / "new.bin", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(written.stat().st_mode) == 0o640
