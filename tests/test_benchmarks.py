"""`tgnas.benchmarks`: the registry and the two labelled benchmarks."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas import benchmarks
from tgnas.benchmarks import Benchmark


class _Tiny(Benchmark):
    name = "tiny-nb201"
    space = "nb201"
    datasets = ("toy",)
    label = "made up"
    archs = [
        "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    ]

    def _labels(self, dataset):
        return [10.0, 90.0]


def test_register_refuses_a_taken_name_and_create_lists_the_known_ones(monkeypatch):
    monkeypatch.setattr(benchmarks, "_REGISTRY", dict(benchmarks._REGISTRY))
    built_in = benchmarks.names()
    benchmarks.register("tiny-nb201", _Tiny)
    assert built_in[:2] == ("nb201", "nb101") and benchmarks.names() == (*built_in, "tiny-nb201")
    with pytest.raises(ValueError, match="a benchmark named 'nb201' is already registered"):
        benchmarks.register("nb201", _Tiny)
    with pytest.raises(ValueError, match="known benchmarks: " + ", ".join((*built_in, "tiny-nb201"))):
        benchmarks.create("nb999")
    tiny = benchmarks.create("tiny-nb201")
    assert list(tiny.has_path()) == [False, True] and tiny.graphs()[1].n_nodes == 8
    np.testing.assert_array_equal(tiny.labels("toy"), [10.0, 90.0])
    with pytest.raises(ValueError, match="has no dataset 'cifar10'; accepted: toy"):
        tiny.labels("cifar10")


@pytest.mark.real_data
def test_nb201_has_every_cell_with_its_200_epoch_test_accuracy():
    from tgnas.data.nb201 import load_nb201_table

    bench = benchmarks.create("nb201")
    assert len(bench) == 15625 and bench.datasets == ("cifar10", "cifar100", "ImageNet16-120")
    assert int(bench.has_path().sum()) == 15284
    table = load_nb201_table()
    best, accuracy = table.best("cifar100")
    assert bench.labels("cifar100")[bench.archs.index(str(best))] == accuracy
    assert bench.graphs()[5] == table.cell_at(5).to_graph()


@pytest.mark.real_data
def test_nb101_has_the_331_distinct_labelled_cells():
    from tgnas.tg.sources import nb101_source

    bench = benchmarks.create("nb101")
    assert len(bench) == 331 == len(set(bench.archs)) and bench.datasets == ("cifar10",)
    source = nb101_source()
    np.testing.assert_array_equal(bench.labels("cifar10"), source.labels)
    assert bench.graphs() == source.graphs and bench.has_path().all()
