"""The ``tgnas`` command line: one group of commands per package (``tgnas COMMAND --help``).

Every command group lives beside the code it drives, in its package's ``cli.py``, which defines
``add_commands(commands)`` (its argparse sub-parsers, built with `tgnas.cli_options`) and
``run(args) -> int``, and imports heavy packages (torch, pandas, …) only inside ``run`` so that
``tgnas --help`` stays fast. Adding a group is one module and one line in `GROUPS`.

Exit status:

- 0: done.
- 1: the command ran and its verdict is "not fine": ``data check`` found a required file missing or
  corrupt, ``book run``/``book all`` a notebook that raised, ``book build`` a warning, ``book check``
  a broken page. The verdict is printed, with one ``tgnas: error:`` line for a failed book step.
- 2: the input was wrong: bad options or values, unknown names, malformed architectures, missing
  files or benchmark data (the message names the file and how to get it), no network for a fetch.
  Always one line on stderr, ``tgnas: error: …``, never a traceback.
- 130: interrupted (Ctrl-C, or SIGTERM from a job scheduler): one line on stderr saying what was
  finished and, where the command can continue, how (``tgnas: interrupted after epoch 3/8; rerun the
  same command with --resume``). Files are written atomically, so only complete ones are left.

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from tgnas import interrupts

#: the command groups, in the order ``tgnas --help`` lists them
GROUPS = (
    "tgnas.data.cli",
    "tgnas.spaces.cli",
    "tgnas.tg.cli",
    "tgnas.search.cli",
    "tgnas.zerocost.cli",
    "tgnas.darts.cli",
    "tgnas.book.cli",
)

#: exceptions that mean "the input was wrong" (exit status 2); data/paths.MissingDataError is a
#: FileNotFoundError, data/fetch.OfflineError a ConnectionError
USER_ERRORS = (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, ConnectionError)
#: the exit status of an interrupted command (128 + SIGINT, as shells report Ctrl-C)
INTERRUPTED = 130


#: echoed input longer than this is cut in error messages (a 10 kB architecture string is no help on a terminal)
ECHO_LIMIT = 200
#: what may be echoed input: a quoted span (as ``repr`` writes it) or a word
_ECHO = re.compile(r"'[^']*'|\"[^\"]*\"|\S+")


def one_line(message: str, limit: int = ECHO_LIMIT) -> str:
    """``message`` on one line, each quoted span or word longer than ``limit`` cut to ``limit`` characters + "…"."""

    def cut(match: re.Match) -> str:
        text = match.group(0)
        if len(text) <= limit:
            return text
        closing = text[0] if text[0] in "'\"" and text[-1] == text[0] else ""
        return text[:limit] + "…" + closing

    return _ECHO.sub(cut, " ".join(message.split()))


class UsageError(Exception):
    """argparse refused the command line (raised instead of argparse's usage text and exit)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tgnas", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in GROUPS:
        group = importlib.import_module(name)
        before = set(commands.choices)
        group.add_commands(commands)  # argparse refuses a command name that another group registered
        for command in set(commands.choices) - before:
            commands.choices[command].set_defaults(handler=group.run)
    return parser


def interrupted_message(args: argparse.Namespace | None) -> str:
    """The line an interrupt prints: the last step finished (`tgnas.interrupts`) and how to continue.

    A command that can continue says how with ``set_defaults(how_to_continue=...)`` on its parser.
    """
    step = interrupts.last_finished()
    how = getattr(args, "how_to_continue", None)
    return "interrupted" + (f" after {step}" if step else "") + (f"; {how}" if how else "")


def _interrupt(signum, frame) -> NoReturn:
    raise KeyboardInterrupt


def _sigterm_interrupts():
    """Make SIGTERM raise KeyboardInterrupt like Ctrl-C (main thread only); returns the handler to restore."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    interrupts.clear()
    previous_sigterm = _sigterm_interrupts()
    args = None
    try:
        args = build_parser().parse_args(argv)
        # what a model card records: the command as run (the program name normalised), not a reconstruction
        args.command_line = shlex.join(["tgnas", *argv])
        return args.handler(args)
    except (UsageError, *USER_ERRORS) as error:
        print(f"tgnas: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tgnas: {interrupted_message(args)}", file=sys.stderr)
        return INTERRUPTED
    finally:
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)


if __name__ == "__main__":
    sys.exit(main())
