"""Activation- and Jacobian-based proxies: ``jacov``, ``epe_nas``, ``nwot``, ``zen``.

Definitions follow NAS-Bench-Suite-Zero, network in training mode, default initialisation:

* ``jacov`` (Mellor et al. 2021, v1): J = ∂(Σ outputs)/∂x per image, flattened; Σ_J = correlation
  matrix of the N rows with eigenvalues λ; score −Σ [log(λ+k) + 1/(λ+k)], k = 1e-5.
* ``epe_nas`` (Lopes et al. 2021): the same Jacobians grouped by label; per class
  s_c = Σ log(|corr|+k) over that class's correlation matrix; score Σ_c |s_c| for ≤ 100 classes,
  otherwise (s_c divided by the matrix size) Σ_c Σ_c' |s_c − s_c'| / #classes.
* ``nwot`` (NASWOT, Mellor et al. 2021, v2): for every ReLU, the binary code c of its input per
  image; K = Σ_ReLU [c cᵀ + (1−c)(1−c)ᵀ] (N×N); score log|det K|.
* ``zen`` (Zen-NAS, Lin et al. 2021) is data-free: weights re-drawn from N(0,1) (BatchNorm γ=1,
  β=0), Gaussian inputs x and x + 0.01 ε of the minibatch's shape; Δ = mean_n Σ |f(x) − f(x+0.01ε)|
  with f the features before global pooling; score log Δ + Σ_BN log √mean(running var) over every
  BatchNorm layer (its running variance after those two training-mode passes).

Undefined values (a singular K, NaN correlations of an all-zero Jacobian) are returned as they come;
`tgnas.zerocost.compute` maps every non-finite score to NB-SZ's sentinel −1e8.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from tgnas.zerocost.registry import ProxyInput, register

_EPSILON = 1e-5
_ZEN_MIXUP = 1e-2


def _input_jacobians(network: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """Rows: ∂(Σ_k output_k)/∂x for each image, flattened (float64)."""
    x = inputs.clone().requires_grad_(True)
    network.zero_grad()
    output = network(x)
    output.backward(torch.ones_like(output))
    return x.grad.detach().reshape(len(x), -1).double().numpy()


@register("jacov", needs_data=True)
def jacov(network: nn.Module, data: ProxyInput) -> float:
    """Jacobian covariance: how differently the network responds to different images."""
    inputs, _ = data.require_batch("jacov")
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.corrcoef(_input_jacobians(network, inputs))
        if not np.isfinite(correlation).all():
            return float("nan")
        eigenvalues = np.linalg.eigvalsh(correlation)
        return float(-np.sum(np.log(eigenvalues + _EPSILON) + 1.0 / (eigenvalues + _EPSILON)))


@register("epe_nas", needs_data=True)
def epe_nas(network: nn.Module, data: ProxyInput) -> float:
    """EPE-NAS: per-class Jacobian correlation scores, summed (≤ 100 classes) or contrasted."""
    inputs, targets = data.require_batch("epe_nas")
    jacobians = _input_jacobians(network, inputs)
    labels = targets.numpy()
    per_class = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for label in np.unique(labels):
            rows = jacobians[labels == label]
            correlation = np.atleast_2d(np.corrcoef(rows))
            score = float(np.sum(np.log(np.abs(correlation) + _EPSILON)))
            if data.num_classes > 100:
                score /= len(correlation)
            per_class.append(score)
    values = np.asarray(per_class)
    if data.num_classes <= 100:
        return float(np.abs(values).sum())
    return float(np.abs(values[:, None] - values[None, :]).sum() / len(values))


@register("nwot", needs_data=True)
def nwot(network: nn.Module, data: ProxyInput) -> float:
    """NASWOT: log-determinant of the ReLU activation-pattern kernel of the minibatch."""
    inputs, _ = data.require_batch("nwot")
    kernel = np.zeros((len(inputs), len(inputs)))

    def hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        # float32 counts are exact below 2**24 features per layer; the sum over layers is float64
        codes = (args[0].detach().reshape(len(inputs), -1) > 0).float()
        kernel[...] += (codes @ codes.T + (1.0 - codes) @ (1.0 - codes).T).double().numpy()

    handles = [m.register_forward_hook(hook) for m in network.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            network(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return float(np.linalg.slogdet(kernel).logabsdet)


@register("zen", needs_data=False)
def zen(network: nn.Module, data: ProxyInput) -> float:
    """Zen-NAS: log of the feature response to a small input perturbation, BN-rescaled."""
    if not hasattr(network, "forward_features"):
        raise ValueError("zen needs a network with forward_features (the features before global pooling)")
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.modules.batchnorm._BatchNorm) and module.affine:
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        shape = (data.batch_size, *data.image_shape)
        x = torch.randn(shape)
        perturbed = x + _ZEN_MIXUP * torch.randn(shape)
        difference = (network.forward_features(x) - network.forward_features(perturbed)).abs()
        response = float(difference.sum(dim=(1, 2, 3)).mean())
        bn_term = sum(
            0.5 * math.log(float(m.running_var.mean())) for m in network.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
        )
    if response <= 0.0:
        return float("-inf")
    return math.log(response) + bn_term
