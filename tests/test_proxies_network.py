"""The NB201 torch network: parameter counts and NB-SZ FLOPs equal the benchmark's columns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tgnas.spaces.nb201 import IMAGE_SIZE, NUM_CLASSES, NB201Cell
from tgnas.spaces.nb201_network import build_nb201_network, count_parameters
from tgnas.zerocost.counting import count_flops

NO_PATH = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|"


@pytest.fixture(scope="module")
def table():
    from tgnas.data.nb201 import load_nb201_table

    return load_nb201_table()


@pytest.mark.real_data
def test_parameter_count_equals_the_benchmark_for_240_cells_and_three_class_counts(table):
    indices = np.random.default_rng(7).choice(len(table), size=240, replace=False)
    datasets = [list(NUM_CLASSES)[k % 3] for k in range(len(indices))]  # 80 cells per dataset
    expected = [round(table.metric("params_M", [i], d)[0] * 1e6) for i, d in zip(indices, datasets)]
    with torch.device("meta"):  # shapes only: no weight initialisation, so 240 networks build quickly
        counted = [count_parameters(build_nb201_network(table.cell_at(i), NUM_CLASSES[d])) for i, d in zip(indices, datasets)]
    assert counted == expected


@pytest.mark.real_data
@pytest.mark.parametrize("dataset", list(NUM_CLASSES))
def test_flops_follow_the_nbsz_convention(table, dataset):
    # the convention is linear in the operator counts, so a few cells per dataset pin it down
    indices = np.random.default_rng(3).choice(len(table), size=6, replace=False)
    side = IMAGE_SIZE[dataset]
    counted = [count_flops(build_nb201_network(table.cell_at(i), NUM_CLASSES[dataset]), (3, side, side)) for i in indices]
    assert np.allclose(np.array(counted) / 1e6, table.metric("flops_M_nbsz", indices, dataset), atol=1e-6, rtol=0)


def test_forward_shapes_for_each_dataset_geometry():
    cell = "|nor_conv_3x3~0|+|avg_pool_3x3~0|skip_connect~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|"
    for dataset, classes in NUM_CLASSES.items():
        network = build_nb201_network(cell, classes).eval()
        side = IMAGE_SIZE[dataset]
        with torch.no_grad():
            assert network(torch.randn(1, 3, side, side)).shape == (1, classes)
            assert network.forward_features(torch.randn(1, 3, side, side)).shape == (1, 64, side // 4, side // 4)


def test_cell_and_arch_string_build_the_same_network():
    torch.manual_seed(0)
    from_string = build_nb201_network(NO_PATH, 10)
    torch.manual_seed(0)
    from_cell = build_nb201_network(NB201Cell.parse(NO_PATH), 10)
    assert all(torch.equal(a, b) for a, b in zip(from_string.state_dict().values(), from_cell.state_dict().values()))


def test_a_cell_without_a_path_makes_the_output_independent_of_the_input():
    network = build_nb201_network(NO_PATH, 10).eval()
    with torch.no_grad():
        first, second = network(torch.randn(3, 3, 32, 32)), network(torch.randn(3, 3, 32, 32))
    assert torch.allclose(first, second)
    assert torch.allclose(first, network.classifier.bias.expand(3, 10))


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown NB201 op 'conv_5x5'"):
        build_nb201_network("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    with pytest.raises(ValueError, match="num_classes must be an integer >= 1"):
        build_nb201_network(NO_PATH, 0)
    with pytest.raises(ValueError, match="expected an NB201Cell or an NB201 arch string, got int"):
        build_nb201_network(42)
