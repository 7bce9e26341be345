"""Registry of zero-cost proxies: name → scoring function, with whether it reads data.

A proxy is a function ``score(network, data) -> float`` (higher = better, as NB-SZ uses them). It
receives its own copy of the network in training mode, which it may change freely (re-initialise,
strip BatchNorm, take absolute weights). ``data`` is a `ProxyInput`; a proxy registered with
``needs_data=False`` is handed one whose ``inputs`` and ``targets`` are None, so it cannot read
images even by accident (`tgnas.zerocost.compute` does that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass(frozen=True)
class ProxyInput:
    """What a proxy may look at besides the network: the input geometry and, if allowed, one minibatch."""

    image_shape: tuple[int, int, int]  # channels, height, width of one image
    num_classes: int
    batch_size: int
    inputs: torch.Tensor | None = None  # float [N, C, H, W], normalised
    targets: torch.Tensor | None = None  # int64 [N]

    def require_batch(self, proxy: str) -> tuple[torch.Tensor, torch.Tensor]:
        if self.inputs is None or self.targets is None:
            raise ValueError(f"proxy {proxy!r} needs a minibatch of images, but none was given")
        return self.inputs, self.targets


ProxyFunction = Callable[["nn.Module", ProxyInput], float]


@dataclass(frozen=True)
class Proxy:
    name: str
    score: ProxyFunction
    needs_data: bool
    summary: str


_REGISTRY: dict[str, Proxy] = {}


def register(name: str, needs_data: bool) -> Callable[[ProxyFunction], ProxyFunction]:
    """Decorator adding a proxy; a name already taken raises ValueError (no silent replacement)."""

    def add(function: ProxyFunction) -> ProxyFunction:
        if name in _REGISTRY:
            raise ValueError(f"a proxy named {name!r} is already registered")
        summary = (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else ""
        _REGISTRY[name] = Proxy(name, function, needs_data, summary)
        return function

    return add


def _load_families() -> None:
    # The proxy families register themselves when imported.
    from tgnas.zerocost import activation, counting, gradient  # noqa: F401


def proxy_names() -> tuple[str, ...]:
    """Every registered proxy name, sorted."""
    _load_families()
    return tuple(sorted(_REGISTRY))


def get_proxy(name: str) -> Proxy:
    """The proxy called ``name``; an unknown name raises ValueError listing the known ones."""
    _load_families()
    if name not in _REGISTRY:
        raise ValueError(f"unknown proxy {name!r}; known proxies: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def resolve_names(names: Iterable[str] | None) -> tuple[str, ...]:
    """Validated proxy names in the given order (all, sorted, when None); duplicates are an error."""
    if names is None:
        return proxy_names()
    if isinstance(names, str):
        names = [names]
    chosen = tuple(names)
    for name in chosen:
        get_proxy(name)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"proxy names repeat in {list(chosen)}; give each once")
    if not chosen:
        raise ValueError(f"no proxy names given; known proxies: {', '.join(proxy_names())}")
    return chosen
