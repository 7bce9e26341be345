"""Zero-cost proxies for NB201 networks (NAS-Bench-Suite-Zero definitions), their validation and scale-out.

`compute_proxies(cell, names)` scores one cell; `proxy_names()` lists the 13 registered proxies;
`build_nb201_network(cell, num_classes)` is the torch network they score. Importing this package
does not import torch; the submodules do.
"""

from __future__ import annotations

from tgnas.zerocost.registry import get_proxy, proxy_names, resolve_names

__all__ = ["get_proxy", "proxy_names", "resolve_names"]
