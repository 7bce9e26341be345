"""Zero-cost proxies (NAS-Bench-Suite-Zero definitions), their validation and scale-out.

`proxy_names()` lists the 13 registered proxies; `tgnas.zerocost.compute.compute_proxies(cell,
names)` scores one NB201 cell; ``ZeroCostScorer(names, space)`` is a `tgnas.scoring.Scorer` over
them for searches and `tgnas.evaluate`. Importing this package does not import torch: the
submodules do, and ``ZeroCostScorer`` loads `tgnas.zerocost.compute` when first used.
"""

from __future__ import annotations

from tgnas.zerocost.registry import get_proxy, proxy_names, resolve_names

__all__ = ["ZeroCostScorer", "get_proxy", "proxy_names", "resolve_names"]


def __getattr__(name: str):
    # `from tgnas.zerocost import ZeroCostScorer` without importing torch on `import tgnas.zerocost`
    if name == "ZeroCostScorer":
        from tgnas.zerocost.compute import ZeroCostScorer  # torch: `import tgnas.zerocost` stays cheap

        return ZeroCostScorer
    raise AttributeError(f"module 'tgnas.zerocost' has no attribute {name!r}")
