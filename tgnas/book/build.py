"""Build the HTML book with jupyter-book from the executed chapter notebooks.

jupyter-book executes nothing itself (``execute_notebooks: "off"``): before building, every chapter
must have a successful, current run by :func:`tgnas.book.runner.run_notebooks` and a _toc.yml entry.

Two books can be built. The ``ci`` book (``_build/html``) shows the ``ci`` runs in ``book/chapters``.
The ``paper`` book (``_build/paper/_build/html``) shows, for each chapter, its published
``paper``-profile run (``book/paper``) when that run succeeded and is of the chapter's current
source and shipped proxy weights, and the ``ci`` run otherwise; it is built from a staged copy of
the book in ``_build/paper`` whose chapters directory holds the chosen runs, so that every page name
and link stays the same and the status page says which profile each page shows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from tgnas.atomic import write_text_atomic
from tgnas.book.layout import (
    CHAPTERS_DIR,
    CONFIG_NAME,
    NOTEBOOKS_DIR,
    PAPER_RUN_DIR,
    TOC_NAME,
    discover_notebooks,
    display_path,
    find_book_root,
    sha256_file,
    shipped_weights_digest,
    toc_documents,
    weights_fingerprint,
)
from tgnas.book.manifest import read_manifest, write_manifest
from tgnas.book.scorecard import results_path

PAPER_STAGE_DIR = Path("_build") / "paper"
"""The staged copy of the book the ``paper`` book is built from (relative to the book root)."""
_CHAPTER_FILE_SUFFIXES = (".ipynb", ".stderr.txt")

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
        elif entry and (outdated := outdated_inputs(entry, source)):
            problems.append(f"notebook {name}: {outdated} since it was executed; {rerun}")
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


def html_dir(root: Path, profile: str = "ci") -> Path:
    """Where the HTML of the ``profile`` book is built."""
    if profile == "ci":
        return Path(root) / "_build" / "html"
    if profile == "paper":
        return Path(root) / PAPER_STAGE_DIR / "_build" / "html"
    raise ValueError(f"unknown profile {profile!r}; accepted: ci, paper")


def outdated_inputs(entry: dict, source: Path) -> str | None:
    """What changed since the run recorded in the manifest ``entry``: the chapter source, the shipped
    proxy weights the chapter loaded (`tgnas.book.layout.shipped_weights_digest` of each), or None
    when neither did.

    A run recorded before runs noted what they loaded is compared on all the shipped weights
    (`tgnas.book.layout.weights_fingerprint`); one that recorded neither counts as older.
    """
    if entry.get("source_sha256") != sha256_file(source):
        return "the chapter changed"
    loaded = entry.get("weights_loaded")
    if loaded is None:
        if entry.get("weights_sha256") != weights_fingerprint():
            return "the shipped proxy weights changed"
        return None
    changed = [relative for relative, digest in sorted(loaded.items()) if shipped_weights_digest(relative) != digest]
    if changed:
        return f"the shipped proxy weights it loaded changed ({', '.join(changed)})"
    return None


def paper_run_problems(root: Path) -> dict[str, str | None]:
    """For each chapter, why the paper book cannot show its published paper-profile run (none, a
    failed one, or what :func:`outdated_inputs` says changed since), or None when it can."""
    root = Path(root)
    published = read_manifest(root / PAPER_RUN_DIR)
    problems = {}
    for name, source in discover_notebooks(root / NOTEBOOKS_DIR).items():
        entry = published.get(name)
        if not entry or not (root / PAPER_RUN_DIR / f"{name}.ipynb").exists():
            problems[name] = "no paper-profile run"
        elif entry.get("status") != "ok":
            problems[name] = "its paper-profile run did not succeed"
        else:
            problems[name] = outdated_inputs(entry, source)
    return problems


def paper_book_runs(root: Path) -> dict[str, str]:
    """For each chapter, the profile whose run the ``paper`` book shows: ``paper`` where the published
    paper-profile run succeeded and is of the current source and shipped weights, else ``ci``."""
    return {name: "ci" if problem else "paper" for name, problem in paper_run_problems(root).items()}


def _copy_chapter(name: str, source_dir: Path, target_dir: Path) -> None:
    for path in (*(source_dir / f"{name}{suffix}" for suffix in _CHAPTER_FILE_SUFFIXES), results_path(name, source_dir)):
        if path.exists():
            shutil.copyfile(path, target_dir / path.name)


def stage_paper_book(root: Path) -> Path:
    """Copy the book into :data:`PAPER_STAGE_DIR` with each chapter's run chosen by :func:`paper_book_runs`; return the copy's root."""
    root = Path(root)
    stage = root / PAPER_STAGE_DIR
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    shutil.copyfile(root / TOC_NAME, stage / TOC_NAME)
    config = yaml.safe_load((root / CONFIG_NAME).read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'tgnas')} (paper-profile runs)"  # which book this is, on every page
    write_text_atomic(stage / CONFIG_NAME, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    shutil.copytree(root / NOTEBOOKS_DIR, stage / NOTEBOOKS_DIR)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns(CHAPTERS_DIR.name))
    chapters = stage / CHAPTERS_DIR
    chapters.mkdir()
    manifests = {profile: read_manifest(root / directory) for profile, directory in (("ci", CHAPTERS_DIR), ("paper", PAPER_RUN_DIR))}
    staged_manifest = {}
    for name, profile in paper_book_runs(root).items():
        source_dir = root / (PAPER_RUN_DIR if profile == "paper" else CHAPTERS_DIR)
        _copy_chapter(name, source_dir, chapters)
        if name in manifests[profile]:
            staged_manifest[name] = manifests[profile][name]
    write_manifest(chapters, staged_manifest)
    return stage


def build_book(
    strict: bool = True,
    *,
    profile: str = "ci",
    root: Path | None = None,
    notebooks_dir: Path | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Build the HTML book with jupyter-book and return its directory (:func:`html_dir`).

    ``profile`` ``ci`` builds the book of the ``ci`` runs; ``paper`` the book that shows the published
    paper-profile runs where they are current (:func:`stage_paper_book`). ``strict`` (the default,
    and what CI uses) rebuilds every page from scratch with warnings as errors (``-W --keep-going
    --all``): an incremental build would not re-emit the warnings of unchanged pages. The full build
    log goes to ``_build/book-build.log`` of the book built.
    """
    root = find_book_root() if root is None else Path(root)
    html_dir(root, profile)  # refuses an unknown profile before anything is staged
    if profile == "paper":
        if notebooks_dir is not None or out_dir is not None:
            raise ValueError("the paper book is staged from the book root's own notebooks and runs; pass root= only")
        root = stage_paper_book(root)  # its readiness below: a ci run must stand in for each chapter without a current paper run
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
