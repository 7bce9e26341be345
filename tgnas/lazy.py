"""Lazy re-exports for package ``__init__`` modules whose submodules import heavy packages.

``tgnas --help`` builds the parser of every command group, which imports each group's package; the
packages therefore name what they export and load a submodule only when one of its names is used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that resolves ``name`` from ``{package}.{exports[name]}``."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{exports[name]}"), name)

    return __getattr__
