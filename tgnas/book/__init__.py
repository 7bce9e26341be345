"""The book pipeline: execute chapter notebooks (papermill, ``runner``), build the book (jupyter-book,
``build``), check it in a headless browser (``browser_check``). ``parameters`` declares and checks
the chapters' ci/paper parameters, ``layout`` knows where the book's parts live, ``manifest``
records the runs (with the ``environment`` they ran in), ``kernel`` pins the kernel to this interpreter,
``clean`` makes the executed notebooks read cleanly as pages, and ``pages`` is the Sphinx extension
that renders the generated pages (``status``: runs, machine, data).
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
    "check_book": "browser_check",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
