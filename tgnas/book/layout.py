"""Where the book's parts live: its root, the chapter sources, the table of contents.

Also the fingerprints that decide whether a chapter must be re-executed: a file's sha256 and
:func:`package_fingerprint` over the tgnas sources, :func:`weights_fingerprint` over its shipped proxies and
:func:`shipped_weights_digest` over one of them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sphinx_external_toc.parsing import MalformedError, parse_toc_yaml

NOTEBOOKS_DIR = Path("notebooks")
CHAPTERS_DIR = Path("book") / "chapters"
"""What the book's pages are built from: the ``ci`` run (regenerated, not kept in git)."""
PAPER_RUN_DIR = Path("book") / "paper"
"""The published ``paper``-profile run: executed notebooks kept in git, which ``tgnas book build
--profile paper`` shows in place of the ``ci`` chapters it covers."""
RUN_DIRS = {"ci": CHAPTERS_DIR, "paper": PAPER_RUN_DIR}
#: set by the runner while a chapter executes: the directory its outputs (scorecard results) go to
RUN_DIR_VARIABLE = "TGNAS_BOOK_RUN_DIR"
CONFIG_NAME = "_config.yml"
TOC_NAME = "_toc.yml"

_NOTEBOOK_NAME = re.compile(r"\d{2}_[A-Za-z0-9_]+")
_DOC_SUFFIXES = (".md", ".ipynb", ".rst")


def run_dir(profile: str) -> Path:
    """Where ``tgnas book run --profile PROFILE`` writes the executed chapters (relative to the book root)."""
    if profile not in RUN_DIRS:
        raise ValueError(f"unknown profile {profile!r}; accepted: {', '.join(RUN_DIRS)}")
    return RUN_DIRS[profile]


def find_book_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding _config.yml and _toc.yml."""
    origin = Path.cwd() if start is None else Path(start)
    for candidate in (origin.resolve(), *origin.resolve().parents):
        if (candidate / CONFIG_NAME).is_file() and (candidate / TOC_NAME).is_file():
            return candidate
    raise ValueError(
        f"no book root (a directory with {CONFIG_NAME} and {TOC_NAME}) at or above {origin}; run from the repository root or pass root="
    )


def discover_notebooks(notebooks_dir: Path) -> dict[str, Path]:
    """Chapter sources ``NN_name.py`` in ``notebooks_dir``, by name (stem), in chapter order.

    Other .py files (helpers shared by notebooks, say) are not chapters and are ignored.
    """
    directory = Path(notebooks_dir)
    if not directory.is_dir():
        raise ValueError(f"notebooks directory {directory} does not exist")
    found = {path.stem: path for path in directory.glob("*.py") if _NOTEBOOK_NAME.fullmatch(path.stem)}
    return dict(sorted(found.items()))


def toc_documents(root: Path) -> list[str]:
    """Docnames listed in ``root/_toc.yml`` (root document first), without file suffixes."""
    toc_path = Path(root) / TOC_NAME
    try:
        site_map = parse_toc_yaml(toc_path)
    except (MalformedError, OSError) as error:
        raise ValueError(f"cannot read the table of contents {toc_path}: {error}") from error
    return [_strip_doc_suffix(docname) for docname in site_map]


def _strip_doc_suffix(docname: str) -> str:
    for suffix in _DOC_SUFFIXES:
        if docname.endswith(suffix):
            return docname[: -len(suffix)]
    return docname


def package_fingerprint(package_dir: Path | None = None) -> str:
    """sha256 over every **/*.py and every shipped weights file and model card (path and content) of
    ``package_dir`` (default: the tgnas package).

    Part of each run's inputs: a chapter re-runs when the code it calls or the proxy it loads changes.
    """
    package_dir = _package_dir(package_dir)
    return _files_digest(package_dir, [*package_dir.rglob("*.py"), *_weights_files(package_dir)])


def weights_fingerprint(package_dir: Path | None = None) -> str:
    """sha256 over the shipped proxy weights and model cards (``tgnas/weights``, path and content).

    What a published run must still match to be shown: its notebook source alone would not say that
    the proxy the chapter loads was retrained since. Code changes are not part of it, since every
    commit would otherwise retire every published paper-scale run.
    """
    package_dir = _package_dir(package_dir)
    return _files_digest(package_dir, _weights_files(package_dir))


def shipped_weights_digest(relative: str, package_dir: Path | None = None) -> str | None:
    """sha256 over one shipped weights file (``relative`` to ``tgnas/weights``: ``nb201.pt``,
    ``v1/darts.pt``) and its model card beside it; None when the weights file is gone.

    What a run records for each shipped proxy its chapter loaded, so that retraining one proxy
    outdates only the chapters that read it.
    """
    package_dir = _package_dir(package_dir)
    weights = package_dir / "weights" / relative
    if not weights.is_file():
        return None
    return _files_digest(package_dir, [path for path in (weights, weights.with_suffix(".json")) if path.is_file()])


def _package_dir(package_dir: Path | None) -> Path:
    return Path(__file__).resolve().parents[1] if package_dir is None else Path(package_dir)


def _weights_files(package_dir: Path) -> list[Path]:
    return [path for path in (package_dir / "weights").rglob("*") if path.is_file()]


def _files_digest(root: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of the file's bytes: how a chapter source is recognised as unchanged."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the book root for messages and metadata; as given when outside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)
