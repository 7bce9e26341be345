"""Network surgery shared by the proxies: which layers carry weights, and removing BatchNorm."""

from __future__ import annotations

from torch import nn


def weighted_layers(network: nn.Module) -> list[nn.Module]:
    """Convolutions and linear layers in module order: the layers NB-SZ's per-weight proxies sum over."""
    return [m for m in network.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def strip_batchnorm(network: nn.Module) -> nn.Module:
    """Replace every BatchNorm layer of ``network`` by an identity, in place (NB-SZ's ``bn=False`` copy)."""
    for parent in list(network.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                setattr(parent, name, nn.Identity())
    return network
