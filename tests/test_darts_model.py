"""DARTS networks from genotypes: ops, shapes, published parameter counts, counters, drop-path, errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tgnas.darts.model import (
    NetworkCIFAR,
    NetworkImageNet,
    build_network,
    count_flops,
    count_parameters,
    drop_path,
    input_size,
)
from tgnas.darts.ops import OPS, FactorizedReduce, build_op
from tgnas.spaces.darts import DARTS_OPS, DARTS_V1, DARTS_V2, DartsGenotype, DartsSpace

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _uniform(op: str, concat=(2, 3, 4, 5)) -> DartsGenotype:
    cell = tuple((op, source) for node in range(2, 6) for source in (0, 1))
    return DartsGenotype(cell, cell, concat, concat)


@pytest.mark.parametrize("name", DARTS_OPS)
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("size", [8, 7])
def test_every_op_keeps_channels_and_strides(name, stride, size):
    op = build_op(name, 6, stride).eval()
    out = op(torch.randn(2, 6, size, size))
    assert out.shape == (2, 6, -(-size // stride), -(-size // stride))
    if name == "none":
        assert not out.any()


def test_op_parameter_counts_follow_their_definition():
    c = 16
    depthwise_pointwise_bn = lambda k: k * k * c + c * c + 2 * c  # noqa: E731 - one line per formula
    expected = {
        "none": 0,
        "max_pool_3x3": 0,
        "avg_pool_3x3": 0,
        "skip_connect": 0,
        "sep_conv_3x3": 2 * depthwise_pointwise_bn(3),
        "sep_conv_5x5": 2 * depthwise_pointwise_bn(5),
        "dil_conv_3x3": depthwise_pointwise_bn(3),
        "dil_conv_5x5": depthwise_pointwise_bn(5),
    }
    assert {name: count_parameters(build_op(name, c, 1)) for name in OPS} == expected
    assert count_parameters(build_op("skip_connect", c, 2)) == 2 * (c * c // 2) + 2 * c  # factorised reduce


def test_paper_scale_networks_have_the_published_parameter_counts():
    cifar = build_network(DARTS_V2, "cifar10")  # C=36, 20 cells
    imagenet = build_network(DARTS_V2, "imagenet")  # C=48, 14 cells, mobile setting
    assert (len(cifar.cells), len(imagenet.cells)) == (20, 14)
    # counted here; DARTS (Liu et al. 2019) publishes 3.3 M (CIFAR-10) and 4.7 M (ImageNet) for this cell
    assert count_parameters(cifar) == 3_349_342 and round(count_parameters(cifar) / 1e6, 1) == 3.3
    assert count_parameters(imagenet) == 4_718_752 and round(count_parameters(imagenet) / 1e6, 1) == 4.7
    assert count_parameters(build_network(DARTS_V1, "cifar10")) == 3_169_414
    # the auxiliary head is trained but not counted (DARTS convention)
    assert count_parameters(cifar, include_auxiliary=True) - count_parameters(cifar) == sum(
        p.numel() for p in cifar.auxiliary_head.parameters()
    )


def test_flops_of_the_cifar_network_match_the_usual_528M():
    cifar = build_network(DARTS_V2, "cifar10")
    assert input_size(cifar) == 32
    assert count_flops(cifar, 32) == 528_359_040  # multiply-adds; papers quote 528 M for DARTS_V2 on CIFAR-10
    tiny = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
    assert count_flops(tiny, 8) == 4 * 8 * 8 * 3 * 9 + 256 * 10


def test_stems_reduce_to_the_expected_resolutions():
    cifar = build_network(DARTS_V2, "cifar10", channels=8, layers=6).eval()
    imagenet = build_network(DARTS_V2, "imagenet", channels=8, layers=3, num_classes=7).eval()
    assert isinstance(cifar, NetworkCIFAR) and isinstance(imagenet, NetworkImageNet)
    sizes = []
    hooks = [cell.register_forward_hook(lambda m, i, o: sizes.append(o.shape[-1])) for cell in cifar.cells]
    logits, auxiliary = cifar(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and auxiliary is None
    assert sizes == [32, 32, 16, 16, 8, 8]  # reductions at layers//3 and 2*layers//3
    for hook in hooks:
        hook.remove()
    assert imagenet(torch.randn(1, 3, 224, 224))[0].shape == (1, 7)


def test_auxiliary_logits_only_in_training_and_drop_path_only_in_training():
    network = build_network(DARTS_V2, "cifar10", channels=4, layers=3)
    network.drop_path_prob = 0.5
    x = torch.randn(4, 3, 32, 32)
    network.train()
    logits, auxiliary = network(x)
    assert auxiliary is not None and auxiliary.shape == logits.shape == (4, 10)
    network.eval()
    first, auxiliary = network(x)
    assert auxiliary is None and torch.equal(first, network(x)[0])  # deterministic: no drop-path in eval
    assert build_network(DARTS_V2, "cifar10", channels=4, layers=3, auxiliary=False).auxiliary_head is None


def test_drop_path_zeroes_whole_samples_and_rescales_the_rest():
    torch.manual_seed(0)
    x = torch.ones(400, 2, 3, 3)
    out = drop_path(x, 0.25)
    per_sample = out.flatten(1)
    assert ((per_sample == 0) | torch.isclose(per_sample, torch.tensor(1 / 0.75))).all()
    assert (per_sample.min(dim=1).values == per_sample.max(dim=1).values).all()  # whole samples
    assert 0.15 < (per_sample[:, 0] == 0).float().mean() < 0.35
    assert torch.equal(drop_path(x, 0.0), x)


@pytest.mark.parametrize("concat", [(2, 3, 4, 5), (2,), (5,), (3, 4)])
@pytest.mark.parametrize("seed", [0, 1])
def test_parameters_without_gradient_are_detected_for_ddp(concat, seed):
    sampled = DartsSpace().sample(seed)
    genotype = DartsGenotype(sampled.normal, sampled.reduce, concat, concat)
    network = build_network(genotype, "cifar10", channels=4, layers=3)
    logits, auxiliary = network(torch.randn(2, 3, 32, 32))
    (logits.sum() + auxiliary.sum()).backward()
    missing_gradients = any(p.grad is None for p in network.parameters())
    assert network.has_unused_parameters() or not missing_gradients  # DDP is never surprised
    if concat == (2, 3, 4, 5):  # every node feeds the output
        assert not network.has_unused_parameters()
    all_sep = build_network(_uniform("sep_conv_3x3", concat=(2,)), "cifar10", channels=4, layers=3)
    logits, auxiliary = all_sep(torch.randn(2, 3, 32, 32))
    (logits.sum() + auxiliary.sum()).backward()
    assert all_sep.has_unused_parameters() and any(p.grad is None for p in all_sep.parameters())


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["cifar10", "imagenet"]))
def test_any_sampled_genotype_builds_and_runs(seed, dataset):
    genotype = DartsSpace().sample(seed)
    network = build_network(genotype, dataset, channels=4, layers=3, num_classes=5).eval()
    size = 32 if dataset == "cifar10" else 64
    logits, _ = network(torch.randn(2, 3, size, size))
    assert logits.shape == (2, 5) and torch.isfinite(logits).all()
    assert count_flops(network, size) > 0 and count_parameters(network) > 0


def test_genotype_with_none_edges_builds():
    network = build_network(_uniform("none"), "cifar10", channels=4, layers=3).eval()
    logits, _ = network(torch.randn(1, 3, 32, 32))
    assert torch.isfinite(logits).all()


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match="unknown DARTS op 'conv_9x9'; accepted: none, max_pool_3x3"):
        build_op("conv_9x9", 4, 1)
    with pytest.raises(ValueError, match="stride must be 1 or 2"):
        build_op("sep_conv_3x3", 4, 3)
    with pytest.raises(ValueError, match="unknown DARTS op 'conv_9x9'"):
        build_network(str(DARTS_V2).replace("dil_conv_3x3", "conv_9x9"))
    with pytest.raises(ValueError, match="malformed DARTS genotype"):
        build_network("Genotype(normal=[")
    with pytest.raises(ValueError, match="unknown DARTS genotype name 'DARTS_V9'"):
        build_network("DARTS_V9")
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; accepted: cifar10, imagenet"):
        build_network(DARTS_V2, "mnist")
    with pytest.raises(ValueError, match="channels must be even"):
        build_network(DARTS_V2, channels=5, layers=3)
    with pytest.raises(ValueError, match="layers must be an integer >= 3"):
        build_network(DARTS_V2, channels=4, layers=2)
    with pytest.raises(ValueError, match="FactorizedReduce needs an even number"):
        FactorizedReduce(4, 3)


# -- the space's analytic counts and nodes that read one input twice ------------------------------
REPEATED = DartsGenotype(
    normal=(("sep_conv_3x3", 1), ("skip_connect", 1), *DARTS_V2.normal[2:]),
    reduce=(("max_pool_3x3", 0), ("dil_conv_5x5", 0), *DARTS_V2.reduce[2:6], ("skip_connect", 1), ("sep_conv_5x5", 1)),
    normal_concat=(2, 3, 4, 5),
    reduce_concat=(3, 4, 5),
)


@pytest.mark.parametrize(
    "genotype",
    [DARTS_V2, DARTS_V1, REPEATED, _uniform("skip_connect"), _uniform("none", (2, 5)), DartsSpace().sample(7)],
    ids=["v2", "v1", "repeated", "skip", "none", "sampled"],
)
def test_space_params_and_flops_are_those_of_the_cifar_network(genotype):
    space = DartsSpace()
    wrapped = space.build_network(genotype)
    assert wrapped(torch.randn(1, 3, 32, 32)).shape == (1, 10)  # logits alone, as zero-cost proxies expect
    network = wrapped.network
    assert network.auxiliary_head is None and len(network.cells) == 20 and network.classifier.out_features == 10
    assert space.params(genotype) * 1e6 == pytest.approx(count_parameters(network), abs=1e-6)
    assert space.flops(genotype) * 1e6 == pytest.approx(count_flops(network, 32), abs=1e-6)
    features = space.to_graph(genotype).features
    assert (features["params_M"], features["flops_M"]) == (space.params(genotype), space.flops(genotype))


def test_a_node_reading_one_input_twice_builds_and_runs():
    network = build_network(REPEATED, "cifar10", channels=8, layers=5, auxiliary=False).eval()
    cell = network.cells[0]
    assert cell.sources[:2] == [1, 1]  # node 2 = skip(c_{k-1}) + sep_conv(c_{k-1}) (canonical order)
    logits, auxiliary = network(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and auxiliary is None and torch.isfinite(logits).all()
