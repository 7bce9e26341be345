"""House rules every chapter notebook follows (checked on the sources, without executing them)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
#: statements a code cell may have (the setup cell after the parameters is exempt): a call into
#: tgnas.experiments per table or figure, plt.show(), a print or two and the value displayed
MAX_STATEMENTS = 8
#: constructs that compute instead of display: definitions, loops (statements and comprehensions)
LOGIC = {
    ast.FunctionDef: "a function definition",
    ast.AsyncFunctionDef: "a function definition",
    ast.ClassDef: "a class",
    ast.Lambda: "a lambda",
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}


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


def _code_cells(path: Path) -> list[ast.Module]:
    """The code cells of a chapter, parsed (IPython magics dropped)."""
    cells = [cell for cell in jupytext.read(path).cells if cell.cell_type == "code"]
    return [ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))) for cell in cells]


def experiment_logic(cell: ast.Module, setup: bool = False) -> list[str]:
    """What in one code cell is experiment logic rather than a call into the package plus display."""
    found = [f"line {node.lineno}: {LOGIC[type(node)]}" for node in ast.walk(cell) if type(node) in LOGIC]
    found += [
        f"line {node.lineno}: an assignment into a container or an augmented assignment"
        for node in ast.walk(cell)
        if isinstance(node, ast.AugAssign)
        or (isinstance(node, ast.Assign) and any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets))
    ]
    if not setup and len(cell.body) > MAX_STATEMENTS:
        found.append(f"{len(cell.body)} statements (at most {MAX_STATEMENTS})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_cells_are_calls_into_the_package(path):
    cells = _code_cells(path)
    # cells[0] is the parameters cell, cells[1] the setup (imports, profile handling, loading)
    problems = {index: experiment_logic(cell, setup=index <= 1) for index, cell in enumerate(cells)}
    problems = {index: found for index, found in problems.items() if found}
    assert not problems, (
        f"experiment logic belongs in tgnas.experiments (one function per table or figure); "
        f"code cells (0 = parameters) with logic: {problems}"
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        ("rows = []\nfor d in x:\n    rows.append(d)", "a for loop"),
        ("table = {d: f(d) for d in DATASETS}", "a dict comprehension"),
        ("scores[~has_path] = -1", "an assignment into a container"),
        ("frame.attr = 1", "an assignment into a container"),
        ("total += 1", "augmented assignment"),
        ("key = lambda row: row[0]", "a lambda"),
        ("\n".join(f"x{i} = {i}" for i in range(MAX_STATEMENTS + 1)), "statements"),
    ],
)
def test_the_rule_catches_experiment_logic(source, expected):
    found = experiment_logic(ast.parse(source))
    assert any(expected in item for item in found), found


def test_the_rule_lets_a_call_and_its_display_through():
    assert experiment_logic(ast.parse("fig = plot_fig2(fig2)\nplt.show()\nfig2.round(3)")) == []


def _chapter_parameters(path: Path):
    """The ChapterParameters the chapter imports as PARAMETERS from its experiment module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "PARAMETERS" for alias in node.names):
            return importlib.import_module(node.module).PARAMETERS
    raise AssertionError(f"{path.name} imports no PARAMETERS from its experiment module")


def _parameter_table(path: Path) -> dict[str, tuple[str, str]]:
    """``{name: (ci text, paper text)}`` from the opening cell's `| parameter | meaning | ci | paper |` table."""
    rows = {}
    for line in jupytext.read(path).cells[0].source.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = [name.strip().strip("`") for name in cells[0].split("/")]
        values = [(ci.strip(), paper.strip()) for ci, paper in zip(cells[2].split(" / "), cells[3].split(" / "), strict=True)]
        rows.update(zip(names, values, strict=True))
    return rows


def _number_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def describes(text: str, value) -> bool:
    """Whether a table cell states ``value``: the value itself, or the size of a list ("3 seeds", "4 per device")."""
    if value is None:
        return text.startswith(("none", "all")) or text.endswith("(all)")
    if isinstance(value, str):
        return text == f"`{value}`"
    if isinstance(value, list):
        return text == ", ".join(map(_number_text, value)) or re.fullmatch(rf"{len(value)} [a-z]+", text) is not None
    if isinstance(value, dict):
        sizes = {len(item) for item in value.values()}
        return len(sizes) == 1 and text == f"{sizes.pop()} per device"
    return text == _number_text(value)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_sets_each_declared_parameter_to_none(path):
    spec = _chapter_parameters(path)
    [cell] = [cell for cell in jupytext.read(path).cells if "parameters" in cell.metadata.get("tags", [])]
    assigned = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body}
    assert assigned.pop("profile") == "ci"
    assert list(assigned) == list(spec.names), "the parameters cell lists the chapter's PARAMETERS, in order"
    assert set(assigned.values()) == {None}, "a parameter's default lives in PARAMETERS (None in the cell takes it)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameter_table_states_the_declared_values(path):
    spec = _chapter_parameters(path)
    table = _parameter_table(path)
    assert table.pop("profile") == ("`ci`", "`paper`")
    assert list(table) == list(spec.names), "the opening table lists the chapter's PARAMETERS, in order"
    wrong = {
        name: (texts, (spec[name].ci, spec[name].paper))
        for name, texts in table.items()
        if not (describes(texts[0], spec[name].ci) and describes(texts[1], spec[name].paper))
    }
    assert not wrong, f"table cells that do not state the PARAMETERS values: {wrong}"


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("3,000", 3_000, True),
        ("300", 3_000, False),
        ("0.5, 0.1, 0.01", [0.5, 0.1, 0.01], True),
        ("0.5, 0.1", [0.5, 0.1, 0.01], False),
        ("3 seeds", [0, 1, 2], True),
        ("5 seeds", [0, 1, 2], False),
        ("4 per device", {"a": [1.0] * 4, "b": [2.0] * 4}, True),
        ("8 per device", {"a": [1.0] * 4, "b": [2.0] * 4}, False),
        ("`DARTS_V2`", "DARTS_V2", True),
        ("`DARTS_V1`", "DARTS_V2", False),
        ("50,000 (all)", None, True),
        ("1,000", None, False),
    ],
)
def test_the_table_comparison_catches_a_wrong_value(text, value, expected):
    assert describes(text, value) is expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_resolves_every_parameter_once_into_its_own_name(path):
    spec = _chapter_parameters(path)
    setup = _code_cells(path)[1]
    calls = [
        node
        for node in ast.walk(setup)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "PARAMETERS.resolve"
    ]
    assert len(calls) == 1, "the setup cell calls PARAMETERS.resolve once"
    [target] = calls[0].targets
    unpacked = [name.id for name in target.elts]
    passed = {keyword.arg: ast.unparse(keyword.value) for keyword in calls[0].value.keywords}
    assert ast.unparse(calls[0].value.args[0]) == "profile"
    assert unpacked == list(passed) and sorted(passed) == sorted(spec.names), "name, ... = PARAMETERS.resolve(profile, name=name, ...)"
    assert all(value == name for name, value in passed.items())
