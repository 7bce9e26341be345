"""Gradient-saliency proxies: ``grad_norm``, ``snip``, ``grasp``, ``fisher``, ``plain``, ``synflow``.

Definitions follow NAS-Bench-Suite-Zero (Krishnakumar et al. 2022), which sums a per-weight (or per-
channel) score over every convolution and linear layer (BatchNorm weights are not scored). All but
synflow use the cross-entropy loss of one minibatch, with the network in training mode (BatchNorm
normalises with batch statistics) and PyTorch's default initialisation:

* ``grad_norm`` = Σ_layers ‖∂L/∂W‖₂ (one norm per layer, then summed);
* ``snip`` = Σ |W ⊙ ∂L/∂W| (Lee et al. 2019); ``plain`` = Σ W ⊙ ∂L/∂W (signed);
* ``grasp`` = Σ −W ⊙ (H g) with g = ∂L/∂W and H the Hessian (Wang et al. 2020), via a
  Hessian-vector product;
* ``fisher`` = Σ_layers Σ_channels fan_in · ½ mean_n (Σ_spatial a ⊙ ∂L/∂a)² with a a layer's output
  (Turner et al. 2020; NB-SZ broadcasts a channel's value to its fan-in weights before summing);
* ``synflow`` (Tanaka et al. 2020) is data-free: BatchNorm removed, weights replaced by their
  absolute values, float64, one all-ones input; R = Σ output, score Σ |W ⊙ ∂R/∂W|. NB-SZ reports
  log(score) (−log(−score) if negative, 0 if 0), and so do we.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from tgnas.zerocost.layers import strip_batchnorm, weighted_layers
from tgnas.zerocost.registry import ProxyInput, register


def _loss_gradients(network: nn.Module, data: ProxyInput, proxy: str) -> list[torch.Tensor]:
    """∂(cross-entropy of the minibatch)/∂W for every weighted layer (zeros where unused)."""
    inputs, targets = data.require_batch(proxy)
    network.zero_grad()
    loss = F.cross_entropy(network(inputs), targets)
    loss.backward()
    return [layer.weight.grad if layer.weight.grad is not None else torch.zeros_like(layer.weight) for layer in weighted_layers(network)]


@register("grad_norm", needs_data=True)
def grad_norm(network: nn.Module, data: ProxyInput) -> float:
    """Sum over layers of the L2 norm of the loss gradient."""
    return float(sum(g.norm() for g in _loss_gradients(network, data, "grad_norm")))


@register("snip", needs_data=True)
def snip(network: nn.Module, data: ProxyInput) -> float:
    """Connection sensitivity Σ|W ⊙ ∂L/∂W| (SNIP)."""
    gradients = _loss_gradients(network, data, "snip")
    layers = weighted_layers(network)
    return float(sum((layer.weight.detach() * g).abs().sum() for layer, g in zip(layers, gradients)))


@register("plain", needs_data=True)
def plain(network: nn.Module, data: ProxyInput) -> float:
    """Signed first-order saliency Σ W ⊙ ∂L/∂W."""
    gradients = _loss_gradients(network, data, "plain")
    layers = weighted_layers(network)
    return float(sum((layer.weight.detach() * g).sum() for layer, g in zip(layers, gradients)))


@register("grasp", needs_data=True)
def grasp(network: nn.Module, data: ProxyInput) -> float:
    """Gradient-signal preservation Σ −W ⊙ Hg (GraSP)."""
    inputs, targets = data.require_batch("grasp")
    weights = [layer.weight for layer in weighted_layers(network)]
    network.zero_grad()
    first = torch.autograd.grad(F.cross_entropy(network(inputs), targets), weights, allow_unused=True)
    gradient = [g.detach() if g is not None else None for g in first]
    second = torch.autograd.grad(F.cross_entropy(network(inputs), targets), weights, create_graph=True, allow_unused=True)
    # g·∇L differentiated once more gives the Hessian-vector product H g in each weight's .grad
    inner = sum((g * s).sum() for g, s in zip(gradient, second) if g is not None and s is not None)
    if not isinstance(inner, torch.Tensor) or not inner.requires_grad:
        return 0.0  # no weight reaches the loss: Hg is zero
    inner.backward()
    return float(sum((-w.detach() * w.grad).sum() for w in weights if w.grad is not None))


@register("fisher", needs_data=True)
def fisher(network: nn.Module, data: ProxyInput) -> float:
    """Fisher-information channel saliency, broadcast to weights and summed (Turner et al.)."""
    inputs, targets = data.require_batch("fisher")
    layers = weighted_layers(network)
    per_channel: dict[int, torch.Tensor] = {}
    handles = []

    def watch(index: int):
        def forward_hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
            activation = output.detach()

            def gradient_hook(grad: torch.Tensor) -> None:
                product = activation * grad.detach()
                summed = product.sum(dim=tuple(range(2, product.dim()))) if product.dim() > 2 else product
                value = 0.5 * summed.pow(2).mean(0)
                per_channel[index] = per_channel.get(index, 0) + value

            if output.requires_grad:
                output.register_hook(gradient_hook)

        return forward_hook

    for index, layer in enumerate(layers):
        handles.append(layer.register_forward_hook(watch(index)))
    try:
        network.zero_grad()
        F.cross_entropy(network(inputs), targets).backward()
    finally:
        for handle in handles:
            handle.remove()
    total = 0.0
    for index, value in per_channel.items():
        fan_in = layers[index].weight[0].numel()
        total += float(value.abs().sum()) * fan_in
    return total


@register("synflow", needs_data=False)
def synflow(network: nn.Module, data: ProxyInput) -> float:
    """Synaptic flow with |W|, no BatchNorm, all-ones input; log-scaled as NB-SZ reports it."""
    network = strip_batchnorm(network).double()
    with torch.no_grad():
        for tensor in network.state_dict().values():
            tensor.abs_()
    network.zero_grad()
    output = network(torch.ones(1, *data.image_shape, dtype=torch.float64))
    output.sum().backward()
    score = float(
        sum((layer.weight.detach() * layer.weight.grad).abs().sum() for layer in weighted_layers(network) if layer.weight.grad is not None)
    )
    if score == 0.0 or not math.isfinite(score):
        return score
    return math.log(score) if score > 0 else -math.log(-score)
