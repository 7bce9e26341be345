"""NB201 table, HW-NAS-Bench and zero-cost tables against golden values of the real files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tgnas.data.hw import HW_METRICS, hw_metric, load_hw_metrics
from tgnas.data.nb201 import COLUMNS, DATASETS, NB201Table, accuracy_column, load_nb201_table, metric_column
from tgnas.data.paths import MissingDataError
from tgnas.data.zc import ZC_PROXIES, load_zc_partial, load_zc_proxies
from tgnas.spaces.nb201 import NB201Space

CIFAR10_TEST_OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"

real_data = pytest.mark.real_data


@pytest.fixture(scope="module")
def table() -> NB201Table:
    return load_nb201_table()


@real_data
def test_table_has_every_cell_once_in_index_order(table):
    assert len(table) == 15_625
    assert list(table.frame.columns) == list(COLUMNS)
    assert set(table.cells()) == set(NB201Space().all_cells())
    assert table.index_of(CIFAR10_TEST_OPTIMUM) == 6111 and str(table.cell_at(6111)) == CIFAR10_TEST_OPTIMUM
    indices = np.arange(0, 15_625, 97)
    assert np.array_equal(table.indices_of(table.cell_at(int(i)) for i in indices), indices)


@real_data
def test_golden_200_epoch_maxima_and_optimum(table):
    maxima = {d: table.accuracy(dataset=d).max() for d in DATASETS}
    assert maxima == pytest.approx({"cifar10": 94.373333, "cifar100": 73.513333, "ImageNet16-120": 47.311111}, abs=1e-6)
    cell, value = table.best("cifar10")
    assert str(cell) == CIFAR10_TEST_OPTIMUM and value == pytest.approx(94.373333)
    row = table.query(CIFAR10_TEST_OPTIMUM)
    assert row["params_M_cifar10"] == pytest.approx(1.073466)
    assert row["test_acc_200ep_cifar100"] == pytest.approx(73.22)
    assert row["test_acc_200ep_ImageNet16-120"] == pytest.approx(46.711111)


@real_data
def test_12_and_200_epoch_labels_are_distinct_columns(table):
    # the 12-epoch schedule tops out far below the 200-epoch one (SOURCES.md caveat)
    assert table.accuracy(epochs=12).max() == pytest.approx(89.16, abs=0.01)
    assert table.accuracy(split="val").max() == pytest.approx(91.57, abs=0.01)
    assert table.accuracy([CIFAR10_TEST_OPTIMUM], epochs=12)[0] == pytest.approx(88.79)


@real_data
def test_cells_without_a_path_are_exactly_the_chance_level_cells(table):
    cells = table.cells()
    no_path = np.array([not cell.has_path() for cell in cells])
    assert no_path.sum() == 341
    accuracy = table.accuracy()
    assert np.all(accuracy[no_path] == pytest.approx(10.0))
    assert accuracy[~no_path].min() > 10.0


@real_data
def test_nbsz_flops_follow_the_documented_linear_formula(table):
    counts = pd.DataFrame([c.op_counts() for c in table.cells()])
    expected = (
        7_943_872 + 35_819_520 * counts["nor_conv_3x3"] + 4_362_240 * counts["nor_conv_1x1"] + 1_290_240 * counts["avg_pool_3x3"]
    ) / 1e6
    assert np.allclose(table.metric("flops_M_nbsz"), expected, atol=1e-6)


def test_bad_arguments_name_what_is_accepted():
    with pytest.raises(ValueError, match="unknown NB201 dataset 'imagenet'; accepted: cifar10, cifar100, ImageNet16-120"):
        accuracy_column("imagenet")
    with pytest.raises(ValueError, match="unknown split 'train'; accepted: test, val"):
        accuracy_column("cifar10", "train")
    with pytest.raises(ValueError, match=r"after \(200, 12\) epochs, not 100"):
        accuracy_column("cifar10", "test", 100)
    with pytest.raises(ValueError, match="unknown NB201 metric 'latency'"):
        metric_column("latency")
    with pytest.raises(ValueError, match="no 'latency' for device 'tpu'"):
        hw_metric("tpu")


def test_malformed_table_is_rejected():
    with pytest.raises(ValueError, match="lacks columns"):
        NB201Table(pd.DataFrame({"nb201_index": [0], "arch_str": ["x"]}))


def test_missing_file_names_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    with pytest.raises(MissingDataError, match=r"nb201/nb201_all_15625.csv.gz.*tgnas data fetch --only"):
        load_nb201_table()


@real_data
def test_hw_metrics_join_by_arch_string(table):
    hw = load_hw_metrics("cifar10", table)
    assert hw.shape == (15_625, 2 + len(HW_METRICS))
    assert np.array_equal(hw["nb201_index"].to_numpy(), np.arange(15_625))
    # row 0 of the HW file is NASLib tuple (4, 3, 3, 0, 0, 0), which is NB201 index 0
    assert hw.loc[0, "edgegpu_latency"] == pytest.approx(5.807419)
    assert hw.loc[0, "arch_str"] == table.frame.loc[0, "arch_str"]
    positive = [m for m in HW_METRICS if m != "edgetpu_latency"]
    assert (hw[positive] > 0).all().all()
    # HW-NAS-Bench marks 4,699 Edge-TPU latencies as -1 (not measured): they must come back as NaN
    assert hw["edgetpu_latency"].isna().sum() == 4_699
    assert (hw["edgetpu_latency"].dropna() > 0).all()


@real_data
def test_zero_cost_tables_agree_with_the_benchmark_columns(table):
    sizes = {"cifar10": 9_445, "cifar100": 725, "ImageNet16-120": 9_445}
    for dataset, size in sizes.items():
        zc = load_zc_proxies(dataset, table)
        assert len(zc) == size and set(ZC_PROXIES) <= set(zc.columns)
        assert not zc[list(ZC_PROXIES)].isna().any().any()
        # proxies 'params' and 'flops' must be the same numbers as the table's, cell by cell
        assert np.allclose(zc["params"], table.metric("params_M", zc.index, dataset), atol=1e-9)
        assert np.allclose(zc["flops"], table.metric("flops_M_nbsz", zc.index, dataset), atol=1e-6)
    partial = load_zc_partial("cifar10", table)
    assert len(partial) == 725 and partial["synflow"].isna().sum() == 1
    assert np.allclose(partial["val_accuracy"], table.accuracy(partial.index, split="val"), atol=1e-6)
    assert (partial["snip_time"] > 0).all()
