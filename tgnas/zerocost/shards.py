"""Scale-out: split a search space into shards, score each shard into its own file, merge them.

Shard ``i/n`` holds every n-th cell of the space starting at cell i (cells in `NB201Space.all_cells`
order, so the split needs no data). Each shard is written atomically to
``DIR/shard-IIIII-of-NNNNN.csv`` (one row per cell: ``arch_str``, each proxy's score and its
``<proxy>_seconds``, ``seed``, ``batch_size``); a shard whose file exists is complete and is skipped,
so an interrupted run resumes where it stopped (a shard computed with other proxies, seed or batch size is
refused unless it is recomputed) — use many small shards (e.g. 625 shards of 25
cells) to lose little on an interruption.

Under ``torchrun`` (or any launcher that sets ``RANK`` and ``WORLD_SIZE``), `compute_shards` gives
rank r the shards r, r + WORLD_SIZE, …; the processes share nothing but the output directory.
`merge_shards` checks that every shard of one split is present and consistent, then writes one table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from tgnas import interrupts, spaces
from tgnas.atomic import atomic_output
from tgnas.checks import differences
from tgnas.zerocost.compute import DEFAULT_BATCH_SIZE, compute_proxies, load_minibatch
from tgnas.zerocost.registry import get_proxy, resolve_names

SPACES = ("nb201",)
_SHARD_FILE = re.compile(r"^shard-(\d{5})-of-(\d{5})\.csv$")


def check_space(space: str) -> str:
    if space not in SPACES:
        raise ValueError(f"proxies can be computed for the spaces {', '.join(SPACES)}, not {space!r}")
    return space


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` → (i, n) with 0 ≤ i < n; anything else raises ValueError saying what is accepted."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match:
        raise ValueError(f"bad shard {text!r}: expected 'i/n' with integers 0 <= i < n, e.g. '0/8'")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not index < count:
        raise ValueError(f"bad shard {text!r}: expected 0 <= i < n and n >= 1, e.g. '0/8'")
    return index, count


@lru_cache(maxsize=len(SPACES))
def space_cells(space: str = "nb201") -> tuple[str, ...]:
    """Every cell of ``space`` as a string, in the space's enumeration order."""

    check_space(space)
    enumeration = spaces.create(space)
    return tuple(enumeration.format(cell) for cell in enumeration.all_cells())


def shard_cells(index: int, count: int, space: str = "nb201") -> list[str]:
    """The cells of shard ``index`` of ``count``: every count-th cell starting at ``index``."""
    parse_shard(f"{index}/{count}")
    return list(space_cells(space)[index::count])


def shard_path(directory: str | os.PathLike[str], index: int, count: int) -> Path:
    return Path(directory) / f"shard-{index:05d}-of-{count:05d}.csv"


def rank_from_environment() -> tuple[int, int]:
    """(RANK, WORLD_SIZE) as torchrun sets them; (0, 1) when neither is set."""
    rank_text, world_text = os.environ.get("RANK"), os.environ.get("WORLD_SIZE")
    if rank_text is None and world_text is None:
        return 0, 1
    try:
        rank, world_size = int(rank_text or ""), int(world_text or "")
    except ValueError:
        raise ValueError(f"RANK={rank_text!r} and WORLD_SIZE={world_text!r} must both be integers with 0 <= RANK < WORLD_SIZE") from None
    if not 0 <= rank < world_size:
        raise ValueError(f"RANK={rank} and WORLD_SIZE={world_size} must satisfy 0 <= RANK < WORLD_SIZE")
    return rank, world_size


def compute_shard(
    directory: str | os.PathLike[str],
    index: int,
    count: int,
    names: Iterable[str] | None = None,
    space: str = "nb201",
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    recompute: bool = False,
    progress: bool = True,
) -> tuple[Path, bool]:
    """Score shard ``index/count`` into its file; returns (path, whether it was computed now).

    An existing shard file is kept if it was computed with the same proxies, seed and batch size;
    one computed otherwise is refused (ValueError naming each differing setting) unless ``recompute``.
    """

    chosen = resolve_names(names)
    cells = shard_cells(index, count, space)
    path = shard_path(directory, index, count)
    if path.exists() and not recompute:
        check_shard_settings(path, {"proxies": list(chosen), "seed": seed, "batch_size": batch_size, "cells": len(cells)})
        return path, False
    batch = load_minibatch(batch_size, seed) if any(get_proxy(p).needs_data for p in chosen) else None
    rows = []
    for arch in tqdm(cells, desc=f"shard {index}/{count}", unit="cell", disable=not progress):
        result = compute_proxies(arch, chosen, batch=batch, seed=seed)
        rows.append(
            {
                "arch_str": arch,
                **result.scores,
                **{f"{name}_seconds": result.seconds[name] for name in chosen},
                "seed": seed,
                "batch_size": batch_size,
            }
        )
    with atomic_output(path, "w", encoding="utf-8") as stream:
        pd.DataFrame(rows).to_csv(stream, index=False)
    interrupts.finished(f"shard {index}/{count}")  # what the command line's interrupt message reports
    return path, True


def shard_settings(path: Path) -> dict:
    """What shard file ``path`` was computed with: proxies (in column order), seed, batch size, number of cells."""
    try:
        frame = pd.read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError) as error:  # pandas' parser errors are ValueErrors
        raise ValueError(f"shard file {path} cannot be read ({error}); delete it or pass --recompute") from None
    columns = list(frame.columns)
    if columns[:1] != ["arch_str"] or not {"seed", "batch_size"} <= set(columns):
        raise ValueError(f"{path} is not a shard file (its columns are {columns}); delete it or pass --recompute")
    settings = {"proxies": [c for c in columns[1:] if c not in ("seed", "batch_size") and not c.endswith("_seconds")], "cells": len(frame)}
    for setting in ("seed", "batch_size"):
        values = sorted(frame[setting].unique().tolist())
        settings[setting] = values[0] if len(values) == 1 else values
    return settings


def check_shard_settings(path: Path, wanted: dict) -> None:
    """Refuse to keep an existing shard computed with settings other than ``wanted``, naming each difference."""
    changed = differences(shard_settings(path), wanted, "the shard")
    if changed:
        raise ValueError(
            f"{path} was computed with other settings ({'; '.join(changed)}); pass --recompute (Python: recompute=True) "
            "to compute it again with these, or use another --out folder"
        )


def compute_shards(
    directory: str | os.PathLike[str],
    count: int,
    rank: int | None = None,
    world_size: int | None = None,
    **options,
) -> list[tuple[Path, bool]]:
    """Every shard of ``count`` that belongs to this rank (from the environment unless given)."""
    if rank is None or world_size is None:
        rank, world_size = rank_from_environment()
    parse_shard(f"{rank}/{world_size}")
    parse_shard(f"0/{count}")
    return [compute_shard(directory, index, count, **options) for index in range(rank, count, world_size)]


def merge_shards(directory: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Join all shards of one split in ``directory`` (all must be present) and write ``out`` if given."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"shard directory {folder} does not exist")
    found: dict[int, dict[int, Path]] = {}
    for path in folder.iterdir():
        match = _SHARD_FILE.match(path.name)
        if match:
            found.setdefault(int(match.group(2)), {})[int(match.group(1))] = path
    if not found:
        raise ValueError(f"no shard files (shard-IIIII-of-NNNNN.csv) in {folder}")
    if len(found) > 1:
        raise ValueError(f"{folder} mixes shards of different splits (n = {sorted(found)}); keep one split per directory")
    count, shards = next(iter(found.items()))
    missing = sorted(set(range(count)) - set(shards))
    if missing:
        shown = ", ".join(str(i) for i in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise ValueError(f"{len(missing)} of {count} shards are missing in {folder}: {shown}; compute them first")
    frames = [pd.read_csv(shards[i]) for i in range(count)]
    columns = list(frames[0].columns)
    for i, frame in enumerate(frames):
        if list(frame.columns) != columns:
            raise ValueError(f"shard {i} has columns {list(frame.columns)}, shard 0 has {columns}")
    merged = pd.concat(frames, ignore_index=True)
    for setting in ("seed", "batch_size"):
        if merged[setting].nunique() > 1:
            raise ValueError(f"shards were computed with different {setting} values: {sorted(merged[setting].unique())}")
    if merged["arch_str"].duplicated().any():
        raise ValueError(f"cell {merged.loc[merged['arch_str'].duplicated(), 'arch_str'].iloc[0]} appears in two shards")
    if out is not None:
        with atomic_output(out, "w", encoding="utf-8") as stream:
            merged.to_csv(stream, index=False)
    return merged
