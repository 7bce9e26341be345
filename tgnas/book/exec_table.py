"""Sphinx extension: list papermill-executed notebooks in myst-nb's ``{nb-exec-table}``.

myst-nb fills that table only for notebooks it executed itself; the book's notebooks are executed
by papermill beforehand (``execute_notebooks: "off"``). For every document read from an ``.ipynb``
that carries papermill metadata, this extension records papermill's timing, profile and outcome as
the document's execution data, and marks it new so myst-nb re-renders the pages holding the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from myst_nb.core.execute import ExecutionResult
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx


def _first_error(notebook: Mapping[str, Any]) -> str | None:
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return None


def exec_data_from_papermill(notebook: Mapping[str, Any]) -> ExecutionResult | None:
    """myst-nb execution data for a papermill-executed notebook; None if papermill did not run it."""
    papermill = notebook.get("metadata", {}).get("papermill")
    if not papermill or not papermill.get("start_time"):
        return None
    finished = papermill.get("end_time") or papermill["start_time"]
    profile = (papermill.get("parameters") or {}).get("profile", "default")
    failed = bool(papermill.get("exception"))
    duration = papermill.get("duration")
    return ExecutionResult(
        mtime=datetime.fromisoformat(finished).timestamp(),
        runtime=None if duration is None else float(duration),
        method=f"papermill ({profile})",
        succeeded=not failed,
        error=(_first_error(notebook) or "papermill recorded an exception") if failed else None,
        traceback=None,
    )


def record_papermill_run(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read`` handler: store the papermill run of the document just read, if any."""
    env = app.env
    source = Path(env.doc2path(env.docname))
    if source.suffix != ".ipynb":
        return
    data = exec_data_from_papermill(nbformat.read(source, as_version=4))
    if data is not None:
        NbMetadataCollector.set_exec_data(env, env.docname, data)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.connect("doctree-read", record_papermill_run)
    return {"version": version("tgnas"), "parallel_read_safe": True, "parallel_write_safe": True}
