"""The book pipeline: execute chapter notebooks (papermill, ``runner``), build the book (jupyter-book,
``build``), check it in a headless browser (``browser_check``). ``layout`` knows where the book's
parts live, ``manifest`` records the runs, ``kernel`` pins the kernel to this interpreter, and
``exec_table`` is the Sphinx extension that lists the papermill runs on the status page.
"""

from __future__ import annotations

from importlib import import_module

# Lazy re-exports: the submodules import papermill and jupyter-book, which `tgnas --help` must not pay for.
_EXPORTS = {
    "PROFILES": "runner",
    "NotebookExecutionError": "runner",
    "RunRecord": "runner",
    "run_notebooks": "runner",
    "BookBuildError": "build",
    "build_book": "build",
    "check_book": "browser_check",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tgnas.book' has no attribute {name!r}")
    return getattr(import_module(f"tgnas.book.{_EXPORTS[name]}"), name)


__all__ = sorted(_EXPORTS)
