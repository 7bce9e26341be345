"""The book pipeline: execute chapter notebooks (papermill, ``runner``), build the book (jupyter-book,
``build``), check it in a headless browser (``browser_check``). ``parameters`` declares and checks
the chapters' ci/paper parameters, ``layout`` knows where the book's parts live, ``manifest``
records the runs (with the ``environment`` they ran in), ``kernel`` pins the kernel to this interpreter,
``clean`` makes the executed notebooks read cleanly as pages, ``scorecard`` holds the paper's claims
and the results chapters record for them, ``data_setup`` fetches missing benchmark files before a
run, and ``pages`` is the Sphinx extension that renders the generated pages (``status``: runs,
machine, data; ``data_page``; the scorecard) and offers each chapter's ``.py``.
"""

from __future__ import annotations

from tgnas.lazy import lazy_exports

# the submodules import papermill and jupyter-book, which `tgnas --help` must not pay for
_EXPORTS = {
    "PROFILES": "parameters",
    "ParameterError": "parameters",
    "NotebookExecutionError": "runner",
    "RunRecord": "runner",
    "run_notebooks": "runner",
    "BookBuildError": "build",
    "build_book": "build",
    "html_dir": "build",
    "find_book_root": "layout",
    "check_book": "browser_check",
    "DataSetupError": "data_setup",
    "ensure_data": "data_setup",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
