"""The NAS-Bench-201 network in torch, built around one cell (Dong & Yang, ICLR 2020).

Macro skeleton: the benchmark's own, as described (and counted analytically) in `tgnas.spaces.nb201`,
whose constants this module builds from. Cell operators: ``nor_conv_kxk`` = ReLU → k×k conv → BN (affine),
``avg_pool_3x3`` = 3×3 average pooling (padding not counted), ``skip_connect`` = identity, ``none``
= zeros. Cell node k sums the operators on its in-edges; node 3 is the cell's output.

The parameter count of this network equals `tgnas.spaces.nb201.network_params` and the benchmark's
``params_M_*`` columns (tests). A cell without an input→output path still builds:
its output is all zeros, so everything after the first cell sees zeros — the zero-cost proxies then
score that degenerate network (see `tgnas.zerocost.compute`). Reach it through
`NB201Space.build_network`; this module imports torch.
"""

from __future__ import annotations

import torch
from torch import nn

# NB201 took its operators from DARTS: the same ReLU-conv-BN and zero modules serve both networks
from tgnas.checks import check_int
from tgnas.darts.ops import ReLUConvBN, Zero
from tgnas.spaces.nb201 import CELLS_PER_STAGE, EDGES, IMAGE_CHANNELS, STAGE_CHANNELS, NB201Cell


def make_operator(name: str, channels: int) -> nn.Module:
    """One cell operator on ``channels`` feature maps (stride 1, channels unchanged)."""
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3)
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity()
    if name == "none":
        return Zero()
    raise ValueError(f"unknown NB201 operator {name!r}")


class NB201CellModule(nn.Module):
    """One cell: node k = sum of the operators on the edges j→k; returns node 3."""

    def __init__(self, cell: NB201Cell, channels: int):
        super().__init__()
        self.operators = nn.ModuleList(make_operator(op, channels) for op in cell.ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for target in (1, 2, 3):
            total = None
            for position, (source, edge_target) in enumerate(EDGES):
                if edge_target == target:
                    out = self.operators[position](nodes[source])
                    total = out if total is None else total + out
            nodes.append(total)
        return nodes[3]


class ResNetBlock(nn.Module):
    """The reduction block between stages: halves the resolution, changes the channel count."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2), nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.conv_b(self.conv_a(x))


class NB201Network(nn.Module):
    """The full NB201 network for one cell; `forward_features` stops before global pooling (Zen-NAS)."""

    def __init__(self, cell: NB201Cell, num_classes: int):
        super().__init__()
        self.cell = cell
        self.num_classes = num_classes
        self.stem = nn.Sequential(nn.Conv2d(IMAGE_CHANNELS, STAGE_CHANNELS[0], 3, padding=1, bias=False), nn.BatchNorm2d(STAGE_CHANNELS[0]))
        layers: list[nn.Module] = []
        for stage, channels in enumerate(STAGE_CHANNELS):
            if stage > 0:
                layers.append(ResNetBlock(STAGE_CHANNELS[stage - 1], channels))
            layers.extend(NB201CellModule(cell, channels) for _ in range(CELLS_PER_STAGE))
        self.body = nn.Sequential(*layers)
        self.last_act = nn.Sequential(nn.BatchNorm2d(STAGE_CHANNELS[-1]), nn.ReLU(inplace=False))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(STAGE_CHANNELS[-1], num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.last_act(self.body(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.forward_features(x)).flatten(1))


def as_cell(cell_or_arch_str: NB201Cell | str) -> NB201Cell:
    """A cell from a `NB201Cell` or an arch string (malformed strings raise ValueError)."""
    if isinstance(cell_or_arch_str, NB201Cell):
        return cell_or_arch_str
    if isinstance(cell_or_arch_str, str):
        return NB201Cell.parse(cell_or_arch_str)
    raise ValueError(f"expected an NB201Cell or an NB201 arch string, got {type(cell_or_arch_str).__name__}")


def build_nb201_network(cell_or_arch_str: NB201Cell | str, num_classes: int = 10) -> NB201Network:
    """The NB201 network of a cell with PyTorch's default initialisation (seed it with torch.manual_seed)."""
    num_classes = check_int("num_classes", num_classes, 1, why="10, 100 or 120 for NB201")
    return NB201Network(as_cell(cell_or_arch_str), num_classes)


def count_parameters(network: nn.Module) -> int:
    """Every trainable parameter, BatchNorm affine weights included (the benchmark's convention)."""
    return sum(p.numel() for p in network.parameters())
