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


def test_size_reads_the_spaces_analytic_count_when_the_benchmark_ships_none():
    tiny = _Tiny()
    np.testing.assert_array_equal(tiny.size("toy"), [graph.features["params_M"] for graph in tiny.graphs()])
    np.testing.assert_array_equal(tiny.size("toy", "flops"), [graph.features["flops_M"] for graph in tiny.graphs()])
    assert tiny.size("toy")[1] > tiny.size("toy")[0] > 0
    with pytest.raises(ValueError, match="unknown size 'latency'; accepted: params, flops"):
        tiny.size("toy", "latency")


@pytest.mark.real_data
def test_size_prefers_the_benchmarks_own_count_and_is_none_without_any(monkeypatch):
    tiny = _Tiny()
    monkeypatch.setattr(_Tiny, "zero_cost_names", lambda self, dataset: ("params",))
    monkeypatch.setattr(_Tiny, "_zero_cost", lambda self, dataset, name: np.array([7.0, np.nan]))
    np.testing.assert_array_equal(tiny.size("toy"), [7.0, np.nan])
    nb101 = benchmarks.create("nb101")
    shipped = nb101.zero_cost("cifar10", "params")
    np.testing.assert_array_equal(nb101.size("cifar10"), shipped)
    monkeypatch.setattr(type(nb101), "zero_cost_names", lambda self, dataset: ())
    np.testing.assert_allclose(nb101.size("cifar10"), shipped, rtol=1e-12)  # the space's own count agrees
    assert nb101.size("cifar10", "flops") is None  # the NB101 space counts no FLOPs
    micro = benchmarks.create("transnas_micro")
    monkeypatch.setattr(type(micro), "zero_cost_names", lambda self, dataset: ())
    assert micro.size("class_scene") is None  # its networks depend on the task: no analytic count


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


@pytest.mark.real_data
def test_nb201_zero_cost_coverage_per_dataset():
    bench = benchmarks.create("nb201")
    covered = {"cifar10": 9445, "cifar100": 725, "ImageNet16-120": 9445}
    for dataset in bench.datasets:
        assert len(bench.zero_cost_names(dataset)) == 13
        counts = {name: int((~np.isnan(bench.zero_cost(dataset, name))).sum()) for name in bench.zero_cost_names(dataset)}
        full = {name for name, count in counts.items() if count == 15625}
        assert full == {"params", "flops", "zen"}, dataset
        assert {count for name, count in counts.items() if name not in full} == {covered[dataset]}, dataset


@pytest.mark.real_data
def test_nb201_zero_cost_values_sit_at_their_cells_and_the_tables_size_counts_win():
    from tgnas.data.zc import load_zc_proxies

    bench = benchmarks.create("nb201")
    for dataset in ("cifar10", "cifar100"):
        proxies = load_zc_proxies(dataset, bench.table)
        rows = proxies.iloc[[0, len(proxies) // 2, -1]]
        positions = [bench.archs.index(arch) for arch in rows["arch_str"]]
        for name in ("nwot", "synflow", "params", "flops"):
            np.testing.assert_array_equal(bench.zero_cost(dataset, name)[positions], rows[name].to_numpy())
        np.testing.assert_allclose(bench.zero_cost(dataset, "zen")[positions], rows["zen"].to_numpy(), atol=1e-6)
        np.testing.assert_array_equal(bench.zero_cost(dataset, "params"), bench.table.metric("params_M", dataset=dataset))
    outside = ~bench.table.frame["in_nbsz_valid_set"].to_numpy()
    assert np.isnan(bench.zero_cost("cifar10", "nwot")[outside]).all() and not np.isnan(bench.zero_cost("cifar10", "nwot")[~outside]).any()
    with pytest.raises(ValueError, match="has no precomputed proxy 'madeup' on 'cifar10'; accepted: epe_nas, fisher"):
        bench.zero_cost("cifar10", "madeup")


@pytest.mark.real_data
def test_nb101_zero_cost_means_over_duplicates_and_official_params_in_millions():
    from tgnas.data.nb101 import load_nb101
    from tgnas.spaces.nb101 import network_params

    bench = benchmarks.create("nb101")
    names = bench.zero_cost_names("cifar10")
    assert names == ("epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "params", "plain", "snip", "synflow")
    counts = {name: int((~np.isnan(bench.zero_cost("cifar10", name))).sum()) for name in names}
    assert counts == {**dict.fromkeys(names, 301), "params": 331}
    naslib, official = load_nb101("naslib500"), load_nb101("official30")
    repeated = [r for r in naslib if r.cell == naslib[0].cell]
    position = bench.archs.index(str(naslib[0].cell))
    assert bench.zero_cost("cifar10", "snip")[position] == pytest.approx(np.mean([r.proxies["snip"] for r in repeated]))
    # units: the space's analytic count reproduces NASLib's params (millions) and the official trainable_parameters
    assert all(network_params(r.cell) == round(r.proxies["params"] * 1e6) for r in naslib)
    assert all(network_params(r.cell) == r.params for r in official)
    params = bench.zero_cost("cifar10", "params")
    for record in official:
        assert params[bench.archs.index(str(record.cell))] == record.params / 1e6
        assert np.isnan(bench.zero_cost("cifar10", "synflow")[bench.archs.index(str(record.cell))])
