"""Labelled benchmarks a scorer is evaluated on (`tgnas.evaluate`), one module per benchmark.

>>> from tgnas import benchmarks
>>> bench = benchmarks.create("nb201")        # doctest: +SKIP
>>> bench.space, bench.datasets              # doctest: +SKIP
('nb201', ('cifar10', 'cifar100', 'ImageNet16-120'))

A `Benchmark` lists architectures of one space (``archs``, canonical strings), their graphs, and
one label array per dataset (higher = better). Adding one is a module defining a `Benchmark`
subclass plus one line in `_REGISTRY` (or a `register` call from outside the package). Importing
this package loads no benchmark module and no data.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from tgnas.benchmarks.base import Benchmark

#: name → factory, or "module:attribute" of a built-in benchmark (imported on first use)
_REGISTRY: dict[str, str | Callable[[], Benchmark]] = {
    "nb201": "tgnas.benchmarks.nb201:NB201Benchmark",
    "nb101": "tgnas.benchmarks.nb101:NB101Benchmark",
    "nb301": "tgnas.benchmarks.nb301:NB301Benchmark",
    "transnas_micro": "tgnas.benchmarks.transnas:TransNASMicroBenchmark",
    "transnas_macro": "tgnas.benchmarks.transnas:TransNASMacroBenchmark",
    "nbgraph": "tgnas.benchmarks.nbgraph:NBGraphBenchmark",
}


def names() -> tuple[str, ...]:
    """Every registered benchmark name, in registration order."""
    return tuple(_REGISTRY)


def register(name: str, factory: Callable[[], Benchmark]) -> None:
    """Add a benchmark made by ``factory()``; a name already taken raises ValueError (no silent replacement)."""
    if name in _REGISTRY:
        raise ValueError(f"a benchmark named {name!r} is already registered")
    _REGISTRY[name] = factory


def unregister(name: str) -> None:
    """Undo `register` (tests); the built-in benchmarks cannot be removed."""
    if name not in _REGISTRY or isinstance(_REGISTRY[name], str):
        raise ValueError(f"{name!r} is not a registered add-on benchmark; registered: {', '.join(_REGISTRY)}")
    del _REGISTRY[name]


def create(name: str) -> Benchmark:
    """The benchmark called ``name``; an unknown name raises ValueError listing the registered ones."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {', '.join(_REGISTRY)}")
    factory = _REGISTRY[name]
    if isinstance(factory, str):
        module, attribute = factory.split(":")
        factory = getattr(import_module(module), attribute)
    return factory()


__all__ = ["Benchmark", "create", "names", "register", "unregister"]
