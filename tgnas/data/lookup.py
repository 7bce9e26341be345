"""Benchmark numbers of one architecture, per space: what ``tgnas search`` reports beside the cell
it found (NB201: test accuracy after 200 epochs, params, FLOPs; DARTS: the NB301 surrogate's
CIFAR-10 validation accuracy).

Each space with benchmark data registers one function ``arch string -> dict`` here
(`register_lookup`, once per space). `lookup` gives {} for a space without one, and when the data
directory lacks the files or an optional dependency is missing, so a search needs no data. The
numbers are looked up after a search and never steer it.
"""

from __future__ import annotations

from collections.abc import Callable

from tgnas.data.nb201 import DATASETS, load_nb201_table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.data.paths import MissingDataError

Lookup = Callable[[str], dict]

_LOOKUPS: dict[str, Lookup] = {}


def register_lookup(space: str) -> Callable[[Lookup], Lookup]:
    """Decorator: ``function(arch) -> dict`` is the benchmark lookup of ``space`` (one per space)."""

    def register(function: Lookup) -> Lookup:
        if space in _LOOKUPS:
            raise ValueError(f"space {space!r} already has a benchmark lookup ({_LOOKUPS[space].__qualname__})")
        _LOOKUPS[space] = function
        return function

    return register


def lookup(space: str, arch: str) -> dict:
    """The benchmark numbers of ``arch`` (a string of ``space``), or {} when there are none here."""
    function = _LOOKUPS.get(space)
    if function is None:
        return {}
    try:
        return function(arch)
    except (MissingDataError, ImportError):
        return {}


@register_lookup("nb201")
def _nb201(arch: str) -> dict:
    table = load_nb201_table()
    return {
        "test_acc": {dataset: float(table.accuracy([arch], dataset)[0]) for dataset in DATASETS},
        "params_M": float(table.metric("params_M", [arch])[0]),
        "flops_M": float(table.metric("flops_M_nbsz", [arch])[0]),
    }


@register_lookup("darts")
def _darts(arch: str) -> dict:
    return {"nb301_val_acc": float(NB301Surrogate.load().predict([arch])[0])}
