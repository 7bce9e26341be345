"""Zero-cost proxies: registry, definitions checked on toy networks, protocol, degenerate cells."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from tgnas.zerocost import get_proxy, proxy_names, resolve_names
from tgnas.zerocost.compute import NON_FINITE_SCORE, compute_proxies, data_free_input
from tgnas.zerocost.registry import ProxyInput, register

PROXIES = {"params", "flops", "synflow", "snip", "grasp", "fisher", "grad_norm", "jacov", "nwot", "zen", "epe_nas", "l2_norm", "plain"}
DATA_FREE = {"params", "flops", "synflow", "zen", "l2_norm"}
# every operator once; small convolutions keep the tests fast
CELL = "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
NO_PATH = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|"
ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def random_batch(size: int = 8, seed: int = 0, side: int = 32, classes: int = 10) -> ProxyInput:
    """A stand-in minibatch (random images, two per label) — fast, no data files."""
    generator = torch.Generator().manual_seed(seed)
    return ProxyInput(
        image_shape=(3, side, side),
        num_classes=classes,
        batch_size=size,
        inputs=torch.randn(size, 3, side, side, generator=generator),
        targets=torch.arange(size) % (size // 2),
    )


def small_batch(seed: int = 0) -> ProxyInput:
    """ImageNet16-120 geometry (16×16 images, 120 classes): a quarter of the CIFAR cost per proxy."""
    return random_batch(seed=seed, side=16, classes=120)


def test_the_thirteen_proxies_are_registered_with_their_data_needs():
    assert set(proxy_names()) == PROXIES
    assert {name for name in PROXIES if not get_proxy(name).needs_data} == DATA_FREE


def test_registering_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="'snip' is already registered"):
        register("snip", needs_data=True)(lambda network, data: 0.0)
    assert get_proxy("snip").needs_data


def test_unknown_or_repeated_names_are_clear_errors():
    with pytest.raises(ValueError, match=r"unknown proxy 'snipp'; known proxies: epe_nas, fisher, flops"):
        get_proxy("snipp")
    with pytest.raises(ValueError, match="unknown proxy 'naswot'"):
        compute_proxies(CELL, ["params", "naswot"])
    with pytest.raises(ValueError, match="repeat"):
        resolve_names(["params", "params"])


def test_data_free_proxies_never_see_images():
    # the same geometry with other images (or none at all) gives identical scores
    imagenet = "ImageNet16-120"
    one = compute_proxies(CELL, sorted(DATA_FREE), batch=small_batch(seed=0), dataset=imagenet).scores
    other = compute_proxies(CELL, sorted(DATA_FREE), batch=small_batch(seed=1), dataset=imagenet).scores
    assert one == other and set(one) == DATA_FREE and all(math.isfinite(v) for v in one.values())
    alone = compute_proxies(CELL, ["l2_norm", "params"], batch=None, dataset=imagenet).scores
    assert alone == {k: one[k] for k in ("l2_norm", "params")}
    with pytest.raises(ValueError, match="'snip' needs a minibatch"):
        get_proxy("snip").score(nn.Linear(2, 2), data_free_input())


def test_every_proxy_is_finite_deterministic_and_independent_of_the_others():
    batch, imagenet = small_batch(), "ImageNet16-120"
    names = sorted(PROXIES - {"grasp"})  # grasp is checked on a toy model below (it is the slow one)
    first = compute_proxies(CELL, names, batch=batch, dataset=imagenet, seed=1).scores
    alone = {name: compute_proxies(CELL, [name], batch=batch, dataset=imagenet, seed=1).scores[name] for name in ("zen", "snip")}
    assert all(math.isfinite(value) and value != NON_FINITE_SCORE for value in first.values())
    assert first["zen"] == alone["zen"] and first["snip"] == alone["snip"]
    assert first["snip"] >= 0 and first["grad_norm"] >= 0 and first["fisher"] >= 0
    assert compute_proxies(CELL, ["l2_norm"], dataset=imagenet, seed=2).scores["l2_norm"] != first["l2_norm"]


def test_a_cell_without_a_path_gets_documented_values_never_nan():
    names = ["params", "synflow", "jacov", "nwot", "grad_norm", "epe_nas"]
    scores = compute_proxies(NO_PATH, names, batch=small_batch(), dataset="ImageNet16-120").scores
    assert not any(math.isnan(v) for v in scores.values())
    assert scores["synflow"] == 0.0  # the output is the classifier bias: no weight gets a gradient
    assert scores["grad_norm"] == 0.0 and scores["params"] > 0
    assert scores["jacov"] == NON_FINITE_SCORE  # all-zero input Jacobians: correlations undefined → −1e8
    # with no cell operator at all, every later ReLU sees zeros: the NWOT kernel is singular → −1e8
    assert compute_proxies(ALL_NONE, ["nwot"], batch=small_batch(), dataset="ImageNet16-120").scores["nwot"] == NON_FINITE_SCORE


def test_data_dependent_proxies_need_cifar10_images_for_other_datasets():
    with pytest.raises(ValueError, match="only CIFAR-10 images are available"):
        compute_proxies(CELL, ["snip"], dataset="cifar100")
    with pytest.raises(ValueError, match="expect 120 classes"):
        compute_proxies(CELL, ["snip"], dataset="ImageNet16-120", batch=random_batch())
    with pytest.raises(ValueError, match="unknown NB201 dataset 'svhn'"):
        compute_proxies(CELL, ["params"], dataset="svhn")
    assert compute_proxies(CELL, ["params"], dataset="ImageNet16-120").scores["params"] == pytest.approx(
        compute_proxies(CELL, ["params"]).scores["params"] + 110 * 65 / 1e6
    )


# -- definitions on toy networks with known answers ------------------------------------------------


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(3, 4), nn.Linear(4, 2)

    def forward(self, x):
        return self.second(torch.tanh(self.first(x)))


def toy_input() -> ProxyInput:
    generator = torch.Generator().manual_seed(0)
    return ProxyInput((3,), 2, 5, torch.randn(5, 3, generator=generator), torch.tensor([0, 1, 1, 0, 1]))


def test_grasp_is_minus_weight_times_hessian_gradient_product():
    torch.manual_seed(0)
    model, data = TwoLayer(), toy_input()
    weights = [model.first.weight, model.second.weight]
    shapes = [w.shape for w in weights]

    def loss_of(flat):
        first, second = flat[:12].reshape(shapes[0]), flat[12:].reshape(shapes[1])
        hidden = torch.tanh(data.inputs @ first.T + model.first.bias)
        return nn.functional.cross_entropy(hidden @ second.T + model.second.bias, data.targets)

    flat = torch.cat([w.detach().flatten() for w in weights])
    gradient = torch.autograd.functional.jacobian(loss_of, flat)
    hessian = torch.autograd.functional.hessian(loss_of, flat)
    expected = float(-(flat * (hessian @ gradient)).sum())
    assert get_proxy("grasp").score(model, data) == pytest.approx(expected, rel=1e-4)


def test_jacov_of_a_linear_network_matches_the_closed_form():
    # y = W x has the same input Jacobian for every image: all correlations are 1, eigenvalues N, 0, …, 0
    model, data = nn.Linear(3, 2), toy_input()
    n, k = 5, 1e-5
    expected = -((math.log(n + k) + 1 / (n + k)) + (n - 1) * (math.log(k) + 1 / k))
    assert get_proxy("jacov").score(model, data) == pytest.approx(expected, rel=1e-6)


def test_nwot_counts_agreeing_relu_codes():
    model = nn.Sequential(nn.ReLU(), nn.Flatten())
    inputs = torch.tensor([[1.0, -1.0], [1.0, 1.0], [-1.0, -1.0]])
    data = ProxyInput((2,), 2, 3, inputs, torch.tensor([0, 1, 0]))
    agreements = np.array([[2, 1, 1], [1, 2, 0], [1, 0, 2]], dtype=float)  # positions where codes match
    assert get_proxy("nwot").score(model, data) == pytest.approx(np.linalg.slogdet(agreements).logabsdet)


def test_synflow_is_the_log_of_the_path_norm_product():
    # no nonlinearity: with |W| and an all-ones input, Σ|W ⊙ ∂R/∂W| = 2 · Σ_paths Π|w| = 2 · R (bias 0)
    model = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Linear(4, 2, bias=False))
    total = float((model[1].weight.detach().abs() @ model[0].weight.detach().abs()).sum())
    assert get_proxy("synflow").score(model, ProxyInput((3,), 2, 1)) == pytest.approx(math.log(2 * total))


@pytest.mark.real_data
def test_size_proxies_equal_the_reference_scores_exactly():
    from tgnas.data.zc import load_zc_proxies

    reference = load_zc_proxies("cifar10").iloc[[0, 1000, 5000]]
    for row in reference.itertuples():
        scores = compute_proxies(row.arch_str, ["params", "flops"]).scores
        assert scores["params"] == pytest.approx(row.params, abs=1e-9)
        assert scores["flops"] == pytest.approx(row.flops, abs=1e-6)


@pytest.mark.real_data
def test_the_default_minibatch_is_cifar10_training_images():
    from tgnas.zerocost.compute import load_minibatch

    batch = load_minibatch(16, seed=0)
    assert batch.inputs.shape == (16, 3, 32, 32) and batch.targets.dtype == torch.int64
    assert sorted(np.bincount(batch.targets.numpy(), minlength=10)) == [1] * 4 + [2] * 6  # class-balanced
    with pytest.raises(ValueError, match="batch_size must be an int >= 2"):
        load_minibatch(1)
