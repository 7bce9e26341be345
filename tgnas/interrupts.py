"""What a long command has safely finished, so that an interrupt can say so in one line.

A long loop calls `finished` each time a step is on disk (a checkpoint after an epoch, a shard
file); the command-line front (`tgnas.cli`) turns Ctrl-C or SIGTERM into one line such as
``tgnas: interrupted after epoch 3/8; rerun the same command with --resume`` and exit status 130.
Library callers can ignore it: recording is one assignment.
"""

from __future__ import annotations

_last: str | None = None


def finished(step: str) -> None:
    """Record the latest step that is complete on disk, e.g. ``"epoch 3/8"`` or ``"shard 4/625"``."""
    global _last
    _last = step


def last_finished() -> str | None:
    """The latest step `finished` recorded since `clear`, or None."""
    return _last


def clear() -> None:
    global _last
    _last = None
