"""Whole-process wall time of the main commands, as a ratio to a bare ``python -c "import torch"``.

Run from the repository root (with ``TGNAS_DATA`` set)::

    python benchmarks/startup.py [--repeats 5] [--json]

Each command runs ``--repeats`` times as a fresh subprocess, interleaved with the others so that
load on a shared machine hits every command alike; the median wall time is reported. Torch's own
import is the floor any command that scores with a network pays, so the targets are ratios to it
(≤ 0.3× for ``import tgnas``, ≤ 2× for a search and for scoring one cell). Scoring runs once before
timing so the operator embeddings are cached, as they are for a user after the first call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"

#: name → (command line, target ratio to the torch import; None = the floor itself)
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "import torch": ([sys.executable, "-c", "import torch"], None),
    "import tgnas": ([sys.executable, "-c", "import tgnas"], 0.3),
    "tgnas score (one cell)": ([sys.executable, "-m", "tgnas", "score", "--space", "nb201", CELL], 2.0),
    "tgnas search --space nb201 --seed 0 --json": (
        [sys.executable, "-m", "tgnas", "search", "--space", "nb201", "--seed", "0", "--json"],
        2.0,
    ),
}


def wall_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=os.environ)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit status {completed.returncode}: {completed.stderr.strip()[-500:]}")
    return seconds


def measure(repeats: int) -> dict[str, list[float]]:
    for command, _ in COMMANDS.values():  # warm the file cache and the embedding cache
        wall_seconds(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeats):
        for name, (command, _) in COMMANDS.items():
            times[name].append(wall_seconds(command))
    return times


def report(times: dict[str, list[float]]) -> list[dict]:
    floor = statistics.median(times["import torch"])
    rows = []
    for name, (_, target) in COMMANDS.items():
        median = statistics.median(times[name])
        rows.append(
            {
                "command": name,
                "median_s": round(median, 3),
                "ratio_to_torch": round(median / floor, 2),
                "target_ratio": target,
                "meets_target": None if target is None else median / floor <= target,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per command (median reported)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be ≥ 1, got {args.repeats}")
    rows = report(measure(args.repeats))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'command':<46} {'median s':>9} {'× torch':>8} {'target':>7}")
    for row in rows:
        target = "floor" if row["target_ratio"] is None else f"≤ {row['target_ratio']}"
        mark = "" if row["meets_target"] is None else ("  ok" if row["meets_target"] else "  MISSED")
        print(f"{row['command']:<46} {row['median_s']:>9.3f} {row['ratio_to_torch']:>8.2f} {target:>7}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
