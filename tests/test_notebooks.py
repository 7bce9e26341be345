"""House rules every chapter notebook follows (checked on the sources, without executing them)."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_there_are_chapters():
    assert NOTEBOOKS, "no chapter notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_opens_with_what_it_reproduces_and_its_profiles(path):
    notebook = jupytext.read(path)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "a chapter starts with its title"
    assert "reproduces" in first.source, "the opening cell says what the chapter reproduces"
    assert "`ci`" in first.source and "`paper`" in first.source, "the opening cell lists the ci/paper values"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_has_one_parameters_cell_starting_with_profile_ci(path):
    notebook = jupytext.read(path)
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    first_statement = ast.parse(tagged[0].source).body[0]
    assert isinstance(first_statement, ast.Assign) and first_statement.targets[0].id == "profile"
    assert ast.literal_eval(first_statement.value) == "ci"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_holds_no_library_logic_and_no_data_paths(path):
    source = path.read_text()
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.startswith("%")))
    defined = [node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert not defined, f"functions/classes belong in the tgnas package, found {defined}"
    assert "shared/data" not in source and "TGNAS_DATA=" not in source
