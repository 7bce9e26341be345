"""Sharded proxy computation: shard arithmetic, resume, torchrun ranks, merge, and the CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas.cli import main
from tgnas.zerocost import shards

SMALL_SPACE = [
    "|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
    "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|",
    "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|",
    "|none~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|",
]


@pytest.fixture
def small_space(monkeypatch):
    """A 7-cell stand-in for the 15,625-cell space, so whole splits compute in a second."""
    monkeypatch.setattr(shards, "space_cells", lambda space="nb201": list(SMALL_SPACE))
    return SMALL_SPACE


@pytest.mark.parametrize("text", ["3/x", "3", "-1/4", "4/4", "0/0", "1/2/3", ""])
def test_malformed_shards_are_clear_errors(text):
    with pytest.raises(ValueError, match="expected 'i/n'|expected 0 <= i < n"):
        shards.parse_shard(text)


def test_well_formed_shards_parse():
    assert shards.parse_shard("0/1") == (0, 1) and shards.parse_shard(" 7 / 16 ") == (7, 16)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_the_shards_of_a_split_partition_the_space(count):
    everything = shards.space_cells("nb201")
    parts = [shards.shard_cells(index, count) for index in range(count)]
    assert sorted(cell for part in parts for cell in part) == sorted(everything)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_only_nb201_is_supported():
    with pytest.raises(ValueError, match="spaces nb201, not 'darts'"):
        shards.check_space("darts")


def test_a_shard_is_written_once_and_kept_on_resume(small_space, tmp_path):
    path, computed = shards.compute_shard(tmp_path, 1, 3, names=["params", "flops"], progress=False)
    assert computed and path.name == "shard-00001-of-00003.csv"
    frame = pd.read_csv(path)
    assert frame["arch_str"].tolist() == small_space[1::3]
    assert list(frame.columns) == ["arch_str", "params", "flops", "params_seconds", "flops_seconds", "seed", "batch_size"]
    path.write_text(path.read_text() + "")  # untouched on resume: same content, not recomputed
    stamp = path.stat().st_mtime_ns
    assert shards.compute_shard(tmp_path, 1, 3, names=["params", "flops"], progress=False) == (path, False)
    assert path.stat().st_mtime_ns == stamp
    assert not list(tmp_path.glob(".*part"))  # no temporary files left behind


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"names": ["flops"]}, r"proxies: \[params, flops\] in the shard, \[flops\] now"),
        ({"names": ["flops", "params"]}, r"proxies: \[params, flops\] in the shard, \[flops, params\] now"),
        ({"seed": 1}, r"seed: 0 in the shard, 1 now"),
        ({"batch_size": 32}, r"batch_size: 64 in the shard, 32 now"),
        ({"names": ["params"], "seed": 2}, r"\(proxies: \[params, flops\] in the shard, \[params\] now; seed: 0 in the shard, 2 now\)"),
    ],
)
def test_a_shard_made_with_other_settings_is_refused_naming_only_what_differs(small_space, tmp_path, change, message):
    path, _ = shards.compute_shard(tmp_path, 0, 2, names=["params", "flops"], progress=False)
    options = {"names": ["params", "flops"], "progress": False, **change}
    with pytest.raises(ValueError, match=message) as refused:
        shards.compute_shard(tmp_path, 0, 2, **options)
    named = {field for field in ("proxies", "seed", "batch_size", "cells") if f"{field}:" in str(refused.value)}
    assert named == {"proxies" if key == "names" else key for key in change}
    assert shards.compute_shard(tmp_path, 0, 2, recompute=True, **options) == (path, True)
    assert shards.compute_shard(tmp_path, 0, 2, **options) == (path, False)  # now it matches
    assert [c for c in pd.read_csv(path).columns if not c.endswith("_seconds")][1:-2] == options["names"]


def test_a_shard_file_that_is_not_one_is_refused(small_space, tmp_path):
    shards.shard_path(tmp_path, 0, 1).write_text("name,value\nx,1\n")
    with pytest.raises(ValueError, match=r"shard-00000-of-00001.csv is not a shard file .*--recompute"):
        shards.compute_shard(tmp_path, 0, 1, names=["params"], progress=False)


def test_cli_refuses_a_shard_with_other_proxies_unless_recompute(small_space, tmp_path, capsys):
    command = ["proxies", "compute", "--shard", "0/1", "--out", str(tmp_path), "--no-progress", "--proxies"]
    assert main([*command, "params"]) == 0
    assert main([*command, "flops"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "proxies: [params] in the shard, [flops] now" in error and "--recompute" in error
    assert main([*command, "flops", "--recompute"]) == 0
    assert "wrote" in capsys.readouterr().out and "flops" in pd.read_csv(shards.shard_path(tmp_path, 0, 1)).columns


def test_ranks_take_interleaved_shards_and_merge_checks_completeness(small_space, tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    written = shards.compute_shards(tmp_path, 5, names=["params"], progress=False)
    assert [path.name for path, _ in written] == ["shard-00001-of-00005.csv", "shard-00003-of-00005.csv"]
    with pytest.raises(ValueError, match="3 of 5 shards are missing in .*: 0, 2, 4"):
        shards.merge_shards(tmp_path)
    shards.compute_shards(tmp_path, 5, rank=0, world_size=2, names=["params"], progress=False)
    merged = shards.merge_shards(tmp_path, tmp_path / "all.csv")
    assert sorted(merged["arch_str"]) == sorted(small_space)
    assert pd.read_csv(tmp_path / "all.csv").equals(merged)


def test_bad_rank_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ValueError, match="0 <= RANK < WORLD_SIZE"):
        shards.rank_from_environment()
    monkeypatch.setenv("RANK", "one")
    with pytest.raises(ValueError, match="must both be integers"):
        shards.rank_from_environment()


def test_merge_refuses_mixed_splits_and_empty_directories(small_space, tmp_path):
    with pytest.raises(ValueError, match="no shard files"):
        shards.merge_shards(tmp_path)
    shards.compute_shard(tmp_path, 0, 1, names=["params"], progress=False)
    shards.compute_shard(tmp_path, 0, 2, names=["params"], progress=False)
    with pytest.raises(ValueError, match=r"mixes shards of different splits \(n = \[1, 2\]\)"):
        shards.merge_shards(tmp_path)


def test_cli_compute_and_merge(small_space, tmp_path, capsys):
    for index in range(2):
        assert main(["proxies", "compute", "--space", "nb201", "--shard", f"{index}/2", "--out", str(tmp_path), "--proxies", "params"]) == 0
    assert main(["proxies", "merge", str(tmp_path), "--out", str(tmp_path / "merged.csv")]) == 0
    assert "merged 7 cells" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "merged.csv")) == 7


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["proxies", "compute", "--shard", "5/3", "--out", "x"], "bad shard '5/3'"),
        (["proxies", "compute", "--space", "nb101", "--shard", "0/3", "--out", "x"], "spaces nb201, not 'nb101'"),
        (["proxies", "validate", "--n", "5", "--proxies", "naswot"], "unknown proxy 'naswot'; known proxies: epe_nas"),
    ],
)
def test_cli_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
