"""Data-free size proxies: ``params``, ``flops`` and ``l2_norm``.

FLOPs follow the NAS-Bench-Suite-Zero convention (its values come from tensorwatch's model
statistics), which is *not* the official NB201 one: per image, a convolution counts its multiply-
accumulates, BatchNorm 2 per element, ReLU 1 per element, an average pooling k×k per output element,
a linear layer in×out, and the global average pooling (H/h+1)×(W/w+1) per output element; additions
(cell nodes, residuals) count nothing. This reproduces the benchmark's ``flops_M_nbsz`` columns
exactly (tests/test_proxies_network.py). Both counts are reported in millions, as NB-SZ does.
"""

from __future__ import annotations

import torch
from torch import nn

from tgnas.zerocost.layers import weighted_layers
from tgnas.zerocost.registry import ProxyInput, register


def _module_flops(module: nn.Module, inputs: torch.Tensor, output: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        kernel = module.kernel_size[0] * module.kernel_size[1]
        flops = output.numel() * (module.in_channels // module.groups) * kernel
        return flops + (output.numel() if module.bias is not None else 0)
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return 2 * output.numel()
    if isinstance(module, nn.ReLU):
        return output.numel()
    if isinstance(module, nn.AvgPool2d):
        size = module.kernel_size if isinstance(module.kernel_size, tuple) else (module.kernel_size,) * 2
        return output.numel() * size[0] * size[1]
    if isinstance(module, nn.AdaptiveAvgPool2d):
        height, width = inputs.shape[-2:]
        out_height, out_width = output.shape[-2:]
        return output.numel() * (height // out_height + 1) * (width // out_width + 1)
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features
    return 0


def count_flops(network: nn.Module, image_shape: tuple[int, int, int]) -> int:
    """FLOPs of one forward pass of one image, in the NB-SZ convention (module docstring)."""
    total = 0

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        total += _module_flops(module, inputs[0], output)

    leaves = [m for m in network.modules() if not list(m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = network.training
    try:
        with torch.no_grad():
            network.eval()  # one zero image; eval mode leaves BatchNorm running statistics alone
            network(torch.zeros(1, *image_shape))
    finally:
        network.train(was_training)
        for handle in handles:
            handle.remove()
    return total


@register("params", needs_data=False)
def params(network: nn.Module, data: ProxyInput) -> float:
    """Trainable parameters in millions (BatchNorm affine weights included)."""
    return sum(p.numel() for p in network.parameters()) / 1e6


@register("flops", needs_data=False)
def flops(network: nn.Module, data: ProxyInput) -> float:
    """FLOPs per image in millions, NB-SZ convention (BatchNorm and ReLU counted)."""
    return count_flops(network, data.image_shape) / 1e6


@register("l2_norm", needs_data=False)
def l2_norm(network: nn.Module, data: ProxyInput) -> float:
    """Sum over conv/linear layers of the L2 norm of the weight tensor at initialisation."""
    with torch.no_grad():
        return float(sum(layer.weight.norm() for layer in weighted_layers(network)))
