"""Build the HTML book with jupyter-book from the executed chapter notebooks.

jupyter-book executes nothing itself (``execute_notebooks: "off"``): before building, every chapter
must have a successful, current run by :func:`tgnas.book.runner.run_notebooks` and a _toc.yml entry.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

from tgnas.atomic import write_text_atomic
from tgnas.book.layout import (
    CHAPTERS_DIR,
    NOTEBOOKS_DIR,
    TOC_NAME,
    discover_notebooks,
    display_path,
    find_book_root,
    sha256_file,
    toc_documents,
)
from tgnas.book.manifest import read_manifest

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


class BookBuildError(RuntimeError):
    """The book is not ready to build, or jupyter-book failed (with -W: any warning)."""


def readiness_problems(root: Path, notebooks_dir: Path | None = None, out_dir: Path | None = None) -> list[str]:
    """Why the book at ``root`` cannot be built yet (empty when it can).

    Every chapter source must have a successful, current executed notebook and a _toc.yml entry,
    and every _toc.yml entry under the chapters directory must have a chapter source.
    """
    root = Path(root)
    notebooks_dir = root / NOTEBOOKS_DIR if notebooks_dir is None else Path(notebooks_dir)
    out_dir = root / CHAPTERS_DIR if out_dir is None else Path(out_dir)
    try:
        chapters_prefix = out_dir.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return [f"chapter output directory {out_dir} is not inside the book root {root}"]
    notebooks = discover_notebooks(notebooks_dir)
    toc = toc_documents(root)
    manifest = read_manifest(out_dir)
    rerun = "run `tgnas book run`"
    problems = []
    for name, source in notebooks.items():
        docname = chapters_prefix + name
        output = out_dir / f"{name}.ipynb"
        if docname not in toc:
            problems.append(f"notebook {name} has no entry `- file: {docname}` in {TOC_NAME}")
        if not output.exists():
            problems.append(f"notebook {name} has not been executed ({docname}.ipynb is missing); {rerun}")
            continue
        executed = nbformat.read(output, as_version=4).metadata.get("papermill")
        entry = manifest.get(name, {})
        if executed is None:
            problems.append(f"{docname}.ipynb was not executed by papermill; {rerun}")
        elif executed.get("exception") or entry.get("status") == "failed":
            problems.append(f"notebook {name} failed in its last run (see {docname}.ipynb); fix it and {rerun}")
        elif entry and entry.get("source_sha256") != sha256_file(source):
            problems.append(f"notebook {name} changed since it was executed; {rerun}")
    for docname in toc:
        if docname.startswith(chapters_prefix) and docname[len(chapters_prefix) :] not in notebooks:
            problems.append(
                f"{TOC_NAME} lists {docname} but there is no {display_path(notebooks_dir, root)}/{docname[len(chapters_prefix) :]}.py"
            )
    return problems


def _jupyter_book_executable() -> Path:
    executable = Path(sys.executable).parent / "jupyter-book"
    if not executable.exists():
        raise BookBuildError(f"jupyter-book is not installed next to {sys.executable}; install the book extra: pip install -e '.[book]'")
    return executable


def build_book(
    strict: bool = True,
    *,
    root: Path | None = None,
    notebooks_dir: Path | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Build the HTML book with jupyter-book and return its directory (``root/_build/html``).

    ``strict`` (the default, and what CI uses) rebuilds every page from scratch with warnings as
    errors (``-W --keep-going --all``): an incremental build would not re-emit the warnings of
    unchanged pages. The full build log goes to ``root/_build/book-build.log``.
    """
    root = find_book_root() if root is None else Path(root)
    problems = readiness_problems(root, notebooks_dir, out_dir)
    if problems:
        raise BookBuildError("the book is not ready to build:\n  - " + "\n  - ".join(problems))
    command = [str(_jupyter_book_executable()), "build", str(root), "--builder", "html"]
    if strict:
        command += ["-W", "--keep-going", "--all"]
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    # jupyter-book colours its output even when it is not a terminal; the log should be plain text.
    log = _ANSI_ESCAPE.sub("", completed.stdout + completed.stderr)
    log_path = root / "_build" / "book-build.log"
    write_text_atomic(log_path, log)
    if completed.returncode != 0:
        flagged = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        detail = "\n".join(flagged or log.splitlines()[-20:])
        raise BookBuildError(f"jupyter-book build failed (exit {completed.returncode}); full log: {log_path}\n{detail}")
    return root / "_build" / "html"
