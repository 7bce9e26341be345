"""Search spaces (NAS-Bench-101, NAS-Bench-201, DARTS, TransNAS-Bench-101 micro and macro, NAS-Bench-Graph), all converting to one `ArchGraph` type.

>>> from tgnas import spaces
>>> nb201 = spaces.create("nb201")
>>> cell = nb201.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
>>> nb201.to_graph(cell).n_nodes
7
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from tgnas.spaces.base import SearchSpace, Unsupported, as_rng
from tgnas.spaces.graph import ArchGraph

SpaceFactory = Callable[[], SearchSpace]


def _lazy(module: str, cls: str) -> SpaceFactory:
    """A factory that imports its space module on first use (so importing tgnas.spaces stays cheap)."""
    return lambda: getattr(import_module(module), cls)()


_REGISTRY: dict[str, SpaceFactory] = {
    "nb101": _lazy("tgnas.spaces.nb101", "NB101Space"),
    "nb201": _lazy("tgnas.spaces.nb201", "NB201Space"),
    "darts": _lazy("tgnas.spaces.darts", "DartsSpace"),
    "transnas_micro": _lazy("tgnas.spaces.transnas_micro", "TransNASMicroSpace"),
    "transnas_macro": _lazy("tgnas.spaces.transnas_macro", "TransNASMacroSpace"),
    "nbgraph": _lazy("tgnas.spaces.nbgraph", "NBGraphSpace"),
}

#: the spaces that ship with tgnas (`names()` also lists spaces added with `register`)
NAMES = tuple(_REGISTRY)


def register(name: str, factory: SpaceFactory) -> None:
    """Make ``create(name)`` return ``factory()``; a name that is taken is refused."""
    key = str(name).lower()
    if not key or key in _REGISTRY:
        raise ValueError(f"search space name {name!r} is {'taken' if key else 'empty'}; registered: {', '.join(_REGISTRY)}")
    if not callable(factory):
        raise ValueError(f"the factory of search space {name!r} must be callable, got {factory!r}")
    _REGISTRY[key] = factory


def unregister(name: str) -> None:
    """Undo `register` (tests); the built-in spaces cannot be removed."""
    key = str(name).lower()
    if key in NAMES or key not in _REGISTRY:
        raise ValueError(f"{name!r} is not a registered add-on search space; registered: {', '.join(_REGISTRY)}")
    del _REGISTRY[key]


def names() -> tuple[str, ...]:
    """Every registered space name, built-in ones first."""
    return tuple(_REGISTRY)


def create(name: str) -> SearchSpace:
    """The search space called ``name`` (one of `NAMES` or one added with `register`)."""
    key = str(name).lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown search space {name!r}; known spaces: {', '.join(_REGISTRY)}")
    space = _REGISTRY[key]()
    if not isinstance(space, SearchSpace) or space.name != key:
        raise ValueError(f"the factory of search space {name!r} made {space!r}, not a SearchSpace named {key!r}")
    return space


__all__ = ["ArchGraph", "NAMES", "SearchSpace", "Unsupported", "as_rng", "create", "names", "register", "unregister"]
