"""Project shell: environment.yml installs exactly what pyproject.toml pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.strip())
        assert match, f"not an exact pin: {requirement!r}"
        pins[_normalise(match.group(1))] = match.group(2)
    return pins


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return _pins(requirements)


def environment_pins() -> dict[str, str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    entries = [line.strip()[2:] for line in lines[start + 1 :] if line.strip().startswith("- ")]
    return _pins(entry for entry in entries if not entry.startswith("-e"))


def test_every_dependency_is_pinned_exactly_and_jupyter_book_is_1x():
    pins = pyproject_pins()  # asserts that every requirement is an exact pin
    assert pins["jupyter-book"].startswith("1."), "jupyter-book 2.x cannot build offline"


def test_installed_torch_is_the_pinned_cpu_build():
    import importlib.metadata

    import torch

    requirements = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "torch==2.13.0" in requirements
    # A CUDA wheel reports its CUDA version here and carries a "+cuXXX" local label (PyPI's Linux wheel: none).
    assert torch.version.cuda is None, f"torch {torch.__version__} is a CUDA build (CUDA {torch.version.cuda})"
    release, _, label = importlib.metadata.version("torch").partition("+")
    assert (release, label) == ("2.13.0", "cpu"), f"installed torch {importlib.metadata.version('torch')}, expected 2.13.0+cpu"


def test_environment_yml_agrees_with_pyproject():
    assert environment_pins() == pyproject_pins()
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


def test_pin_parser_rejects_ranges():
    import pytest

    with pytest.raises(AssertionError, match="not an exact pin"):
        _pins(["torch>=2"])


def test_the_package_version_is_pyproject_version():
    import tgnas

    assert tgnas.__version__ == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
