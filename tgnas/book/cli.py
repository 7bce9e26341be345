"""``tgnas book run|all|build|check``: execute the chapter notebooks, build and check the book.

Missing benchmark files that ``--fetch-data`` cannot download, a notebook that raises, a build
warning or a broken page is the command's verdict (exit 1: a
``tgnas: error:`` message, then the build's warnings, or one line per broken page); an unknown profile, notebook or parameter,
or a parameter value the chapter refuses, is bad input (exit 2, raised as ValueError by the runner, in one line).
"""

from __future__ import annotations

import argparse
import json
import sys


def add_commands(commands) -> None:
    book = commands.add_parser("book", help="execute the notebooks and build the book").add_subparsers(dest="action", required=True)
    for name, text in (("run", "execute notebooks with papermill"), ("all", "run, then build the book")):
        parser = book.add_parser(name, help=text)
        parser.add_argument("--profile", default="ci", help="ci (small, fast) or paper (full scale)")
        parser.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="notebook names, e.g. 00_benchmarks")
        parser.add_argument("--force", action="store_true", help="execute even if nothing changed")
        parser.add_argument(
            "--fetch-data",
            action="store_true",
            help="first download the benchmark files the book needs that are missing (what `make book` does)",
        )
        parser.add_argument(
            "-p",
            "--parameter",
            nargs=2,
            action="append",
            metavar=("NAME", "VALUE"),
            help="papermill parameter override (VALUE parsed as JSON if possible)",
        )
    build = book.add_parser("build", help="build the HTML book from the executed notebooks (warnings are errors)")
    check = book.add_parser("check", help="load every built page in headless Chromium and check figures and links")
    for parser in (build, check):
        parser.add_argument(
            "--profile",
            default="ci",
            help="ci: the book of the ci runs (_build/html); paper: the book showing the published paper-profile runs (_build/paper/_build/html)",
        )


def _parameter_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def run(args: argparse.Namespace) -> int:
    from tgnas import book  # papermill, jupyter-book and playwright come with it

    if args.profile not in book.PROFILES:
        raise ValueError(f"unknown profile {args.profile!r}; accepted: {', '.join(book.PROFILES)}")
    if args.action == "check":
        return _check(book, args.profile)
    try:
        if args.action in ("run", "all") and args.fetch_data:
            for line in book.ensure_data():
                print(line)
        if args.action in ("run", "all"):
            parameters = {name: _parameter_value(value) for name, value in (args.parameter or [])}
            book.run_notebooks(profile=args.profile, only=args.only, force=args.force, parameters=parameters)
        if args.action in ("build", "all"):
            print(f"book built in {book.build_book(profile=args.profile)}")
    except (book.NotebookExecutionError, book.BookBuildError, book.DataSetupError) as error:
        print(f"tgnas: error: {error}", file=sys.stderr)  # a verdict: the build's list of warnings stays readable
        return 1
    return 0


def _check(book, profile: str) -> int:
    problems = book.check_book(book.html_dir(book.find_book_root(), profile))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("book check: every page, figure and internal link is fine")
    return 0
