"""The book pipeline: execute chapter notebooks (papermill, ``runner``), build the book (jupyter-book,
``build``), check it in a headless browser (``browser_check``). ``layout`` knows where the book's
parts live, ``manifest`` records the runs, ``kernel`` pins the kernel to this interpreter, and
``exec_table`` is the Sphinx extension that lists the papermill runs on the status page.
"""

from __future__ import annotations

from tgnas.book.browser_check import check_book
from tgnas.book.build import BookBuildError, build_book
from tgnas.book.runner import PROFILES, NotebookExecutionError, RunRecord, run_notebooks

__all__ = [
    "PROFILES",
    "BookBuildError",
    "NotebookExecutionError",
    "RunRecord",
    "build_book",
    "check_book",
    "run_notebooks",
]
