"""Search spaces (NAS-Bench-101, NAS-Bench-201, DARTS), all converting to one `ArchGraph` type.

>>> from tgnas import spaces
>>> nb201 = spaces.create("nb201")
>>> cell = nb201.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
>>> nb201.to_graph(cell).n_nodes
7
"""

from __future__ import annotations

from importlib import import_module

from tgnas.spaces.base import SearchSpace, as_rng
from tgnas.spaces.graph import ArchGraph

_REGISTRY = {
    "nb101": ("tgnas.spaces.nb101", "NB101Space"),
    "nb201": ("tgnas.spaces.nb201", "NB201Space"),
    "darts": ("tgnas.spaces.darts", "DartsSpace"),
}

NAMES = tuple(_REGISTRY)


def create(name: str) -> SearchSpace:
    """The search space called ``name`` (one of ``nb101``, ``nb201``, ``darts``)."""
    key = str(name).lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown search space {name!r}; known spaces: {', '.join(NAMES)}")
    module, cls = _REGISTRY[key]
    return getattr(import_module(module), cls)()


__all__ = ["ArchGraph", "NAMES", "SearchSpace", "as_rng", "create"]
