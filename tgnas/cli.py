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

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
from collections.abc import Sequence
from typing import NoReturn

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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        # what a model card records: the command as run (the program name normalised), not a reconstruction
        args.command_line = shlex.join(["tgnas", *argv])
        return args.handler(args)
    except (UsageError, *USER_ERRORS) as error:
        message = " ".join(str(error).split())  # one line, whatever the message held
        print(f"tgnas: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
