"""What an executed chapter shows on its page: code one click away, no parameter cells, no stderr.

The runner passes every executed notebook through :func:`clean_notebook` before publishing it, so
no chapter needs per-cell tags for the page to read cleanly:

* every code cell gets the ``hide-input`` tag (myst-nb renders its source behind a toggle), except a
  cell tagged ``solution``: the code of an exercise's solution is the answer, shown inside the
  solution's own dropdown;
* the parameters cell and the one papermill injects (tags ``parameters`` / ``injected-parameters``)
  get ``remove-cell``: the chapter's opening table and its setup cell already state the values;
* stream outputs written to stderr are taken off the page. Progress bars (tqdm's carriage-return
  redraws) are dropped; any other stderr text (warnings, log lines) is returned in the
  :class:`CleanReport`, and the runner keeps it beside the chapter and says so, so a warning is
  never silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nbformat import NotebookNode

HIDE_INPUT = "hide-input"
REMOVE_CELL = "remove-cell"
PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})
SOLUTION = "solution"
#: tags a chapter may set itself; a cell carrying one keeps its own choice
_VISIBILITY_TAGS = frozenset({"hide-input", "hide-output", "hide-cell", "remove-input", "remove-output", "remove-cell", SOLUTION})
#: one tqdm redraw: "desc:  40%|####      | 4/10 [00:01<00:02, 2.9it/s]" (the bar and the counter are what identify it)
_PROGRESS_LINE = re.compile(r"^\s*(?:[^\r\n]*:\s*)?\d{1,3}%\|[^|\r\n]*\|\s*\d[^\r\n]*$")


@dataclass
class CleanReport:
    """What :func:`clean_notebook` took off the page."""

    progress_outputs: int = 0
    """stderr outputs that were only progress-bar redraws (dropped)."""
    stderr: list[tuple[int, str]] = field(default_factory=list)
    """(cell index, text) of every other stderr output: warnings and log lines, to be kept elsewhere."""


def is_progress_text(text: str) -> bool:
    """Whether a stderr text consists of progress-bar redraws only (and blank space)."""
    pieces = [piece for piece in re.split(r"[\r\n]+", text) if piece.strip()]
    return bool(pieces) and all(_PROGRESS_LINE.match(piece) for piece in pieces)


def _tag(cell: NotebookNode) -> None:
    tags = list(cell.metadata.get("tags", []))
    if PARAMETER_TAGS & set(tags):
        wanted = REMOVE_CELL
    elif cell.cell_type == "code" and not _VISIBILITY_TAGS & set(tags):
        wanted = HIDE_INPUT
    else:
        return
    if wanted not in tags:
        cell.metadata["tags"] = [*tags, wanted]


def _take_stderr(index: int, cell: NotebookNode, report: CleanReport) -> None:
    kept = []
    for output in cell.get("outputs", []):
        if output.get("output_type") != "stream" or output.get("name") != "stderr":
            kept.append(output)
            continue
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        if is_progress_text(text):
            report.progress_outputs += 1
        elif text.strip():
            report.stderr.append((index, text))
    cell.outputs = kept


def clean_notebook(notebook: NotebookNode) -> CleanReport:
    """Tag ``notebook``'s cells for the page and remove its stderr outputs, in place; say what was removed."""
    report = CleanReport()
    for index, cell in enumerate(notebook.cells):
        _tag(cell)
        if cell.cell_type == "code":
            _take_stderr(index, cell, report)
    return report


def stderr_log(report: CleanReport) -> str:
    """The removed stderr texts as one plain-text log, each under the number of its cell."""
    return "".join(f"--- cell {index}\n{text if text.endswith(chr(10)) else text + chr(10)}" for index, text in report.stderr)
