"""Options every command group spells and checks the same way: ``--space``, ``--json``,
``--progress/--no-progress``, ``--threads``, and integer options.

Each group's ``cli.py`` builds its parser from these helpers, so a value is refused at parse time
with one line naming what was wrong and what is accepted. Cheap to import (argparse, the space
registry and `tgnas.checks` only): the parser is built on every call, ``tgnas --help`` included.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tgnas import spaces
from tgnas.checks import int_rule, is_int_at_least


def integer(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer ``>= minimum`` (ArgumentTypeError saying so otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if not is_int_at_least(value, minimum):  # the library's rule and wording (`tgnas.checks.check_int`)
            raise argparse.ArgumentTypeError(f"expected {int_rule(minimum)}, got {text!r}")
        return value

    parse.__name__ = f"integer_at_least_{minimum}"
    return parse


#: seeds, sizes that may be 0 ("off"), and counts whose lower bound the library checks with its own message
non_negative_int = integer(0)
#: counts that must be at least one (architectures, threads, ensemble members, …)
positive_int = integer(1)


def choice(kind: str, accepted: Sequence[str]) -> Callable[[str], str]:
    """An argparse type: one of ``accepted``, case-insensitive, returned in its registered spelling."""
    canonical = {name.lower(): name for name in accepted}

    def parse(text: str) -> str:
        try:
            return canonical[text.lower()]
        except KeyError:
            raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; accepted: {', '.join(accepted)}") from None

    parse.__name__ = kind.replace(" ", "_")
    return parse


#: a registered search space (``spaces.create`` is case-insensitive, so the command line is too)
space_name = choice("search space", spaces.NAMES)


def add_space_option(
    parser: argparse.ArgumentParser,
    *,
    default: str | None = None,
    flag: str = "--space",
    help: str = "search space",
    listed: Sequence[str] = spaces.NAMES,
) -> None:
    """``--space`` (or ``flag``): a registered space name; required unless ``default`` is given.

    ``listed``: the names the help shows, when the command works out of the box for only some spaces
    (the command refuses the others itself, saying what they need).
    """
    parser.add_argument(
        flag,
        type=space_name,
        default=default,
        required=default is None,
        metavar="SPACE",
        help=f"{help}: {', '.join(listed)}" + (f" (default {default})" if default else ""),
    )


def check_output(path: str | Path, option: str, *, folder: bool) -> Path:
    """Refuse an output ``path`` that exists as the other kind (a file where a folder goes, or the reverse),
    before a command computes what it would write there."""
    target = Path(path)
    if folder and target.exists() and not target.is_dir():
        raise ValueError(f"{option} {str(target)!r} is an existing file; it must be a folder (or a path that does not exist yet)")
    if not folder and target.is_dir():
        raise ValueError(f"{option} {str(target)!r} is a folder; it must name a file")
    return target


def add_json_option(parser: argparse.ArgumentParser, help: str = "print the result as JSON on stdout") -> None:
    parser.add_argument("--json", action="store_true", help=help)


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """``--progress/--no-progress``; read it with `progress`."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: shown when stderr is a terminal and --json is not given)",
    )


def progress(args: argparse.Namespace) -> bool:
    """Whether to show a progress bar: as asked, else on a terminal unless the output is JSON."""
    if args.progress is not None:
        return args.progress
    return sys.stderr.isatty() and not getattr(args, "json", False)


def add_threads_option(parser: argparse.ArgumentParser, default: int | None = 1, why: str = "") -> None:
    """``--threads N``: torch intra-op threads for the command; apply it with `apply_threads`."""
    why = why or ("the networks are small and a shared CPU makes small calls wait" if default == 1 else "")
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=default,
        metavar="N",
        help="torch intra-op threads " + (f"(default {default}: {why})" if default else "(default: torch's choice)"),
    )


def apply_threads(args: argparse.Namespace) -> None:
    """Set torch's thread count for this process from ``--threads`` (None: leave torch's choice)."""
    if args.threads is None:
        return
    import torch  # heavy: only commands that do torch work call this, inside their run()

    torch.set_num_threads(args.threads)
