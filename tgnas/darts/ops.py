"""The eight DARTS candidate operations and the layers the network is built from.

Every operation maps ``C`` channels to ``C`` channels; with ``stride=2`` (the first two edges of a
reduction cell, which read the cell inputs) it halves the spatial size. Convolutions follow the
DARTS conventions: ReLU first, then convolution, then BatchNorm, no bias; a separable convolution
is a depthwise + pointwise pair applied twice, a dilated convolution is one such pair with dilation 2.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from tgnas.spaces.darts import DARTS_OPS


class ReLUConvBN(nn.Sequential):
    """ReLU → k×k convolution (no bias) → BatchNorm: the DARTS cell-input preprocessing (k = 1) and
    NB201's ``nor_conv_kxk`` (``padding`` defaults to "same", k // 2)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int | None = None) -> None:
        padding = kernel // 2 if padding is None else padding
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out),
        )


class DilatedConv(nn.Sequential):
    """ReLU → depthwise k×k convolution (dilation d) → pointwise convolution → BatchNorm."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )


class SeparableConv(nn.Sequential):
    """Two dilation-1 depthwise-separable blocks; only the first one strides."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int) -> None:
        padding = kernel // 2
        super().__init__(
            DilatedConv(c_in, c_in, kernel, stride, padding, dilation=1),
            DilatedConv(c_in, c_out, kernel, 1, padding, dilation=1),
        )


class Zero(nn.Module):
    """The ``none`` operation: zeros of the output shape (strided like the other edges; a module so
    that gradients stay defined)."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class FactorizedReduce(nn.Module):
    """Halve the resolution without losing every other pixel: two 1×1 stride-2 convolutions, one
    shifted by a pixel, concatenated (used for stride-2 ``skip_connect`` and after a reduction)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        if c_out % 2:
            raise ValueError(f"FactorizedReduce needs an even number of output channels, got {c_out}")
        self.relu = nn.ReLU(inplace=False)
        self.conv_even = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_odd = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))  # keeps odd input sizes aligned
        return self.bn(torch.cat([self.conv_even(x), self.conv_odd(shifted)], dim=1))


def _skip(channels: int, stride: int) -> nn.Module:
    return nn.Identity() if stride == 1 else FactorizedReduce(channels, channels)


OPS: dict[str, Callable[[int, int], nn.Module]] = {
    "none": lambda c, stride: Zero(stride),
    "max_pool_3x3": lambda c, stride: nn.MaxPool2d(3, stride=stride, padding=1),
    "avg_pool_3x3": lambda c, stride: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "skip_connect": _skip,
    "sep_conv_3x3": lambda c, stride: SeparableConv(c, c, 3, stride),
    "sep_conv_5x5": lambda c, stride: SeparableConv(c, c, 5, stride),
    "dil_conv_3x3": lambda c, stride: DilatedConv(c, c, 3, stride, padding=2, dilation=2),
    "dil_conv_5x5": lambda c, stride: DilatedConv(c, c, 5, stride, padding=4, dilation=2),
}
assert tuple(OPS) == DARTS_OPS


def build_op(name: str, channels: int, stride: int) -> nn.Module:
    """One DARTS operation on ``channels`` channels; ValueError naming the accepted ops otherwise."""
    if name not in OPS:
        raise ValueError(f"unknown DARTS op {name!r}; accepted: {', '.join(OPS)}")
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2, got {stride}")
    return OPS[name](channels, stride)
