"""`tgnas.data.nb201_import`: the official-API importer on tiny synthetic benchmark files, and the
analytic size metrics against the shipped table.

The synthetic files are made with the benchmark packages' own result classes (`ArchResults`,
`ResultsCount`) and saved the way the official files are: ``torch.save`` of
``{meta_archs, arch2infos: {i: {"less": ..., "full": ...}}, evaluated_indexes}`` for NAS-Bench-201,
bz2 pickles of ``{hp: ArchResults state}`` (one per cell, plus ``meta``) for NATS-Bench.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas.data.nb201 import DATASETS
from tgnas.data.nb201_import import (
    build_table_from_sources,
    flops_millions_nbsz,
    import_columns,
    import_nb201,
    open_benchmark,
    params_millions,
)
from tgnas.data.paths import data_file
from tgnas.spaces.nb201 import NB201_OPS, NB201Cell

ARCHS = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|skip_connect~0|+|none~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|",
)
SEEDS = (777, 888)
EPOCHS = {"12": 3, "200": 4}  # few epochs keep the files tiny; the API reads the last one
#: evaluation sets each training dataset has in the official files
EVAL_SETS = {
    "cifar10-valid": ("x-valid", "ori-test"),
    "cifar10": ("ori-test",),
    "cifar100": ("x-valid", "x-test", "ori-test"),
    "ImageNet16-120": ("x-valid", "x-test", "ori-test"),
}


def _truth(index: int, hp: str, dataset: str, setname: str, seed: int) -> float:
    """The final-epoch accuracy planted for one run (distinct for every key)."""
    keys = list(EVAL_SETS)
    code = keys.index(dataset) * 10 + EVAL_SETS[dataset].index(setname) * 3 + SEEDS.index(seed)
    return 40.0 + index * 7.25 + code * 0.37 + (0.0 if hp == "200" else 11.5)


def _cost(index: int, dataset: str) -> tuple[float, float]:
    """(params, flops) planted for a cell on a dataset."""
    return 0.1 + index * 0.2 + list(EVAL_SETS).index(dataset) * 0.01, 10.0 + index * 30 + list(EVAL_SETS).index(dataset)


def _arch_results(module, index: int, hp: str, datasets=tuple(EVAL_SETS)):
    epochs = EPOCHS[hp]
    results = module.ArchResults(index, ARCHS[index])
    for dataset in datasets:
        params, flops = _cost(index, dataset)
        for seed in SEEDS:
            run = module.ResultsCount(
                dataset,
                None,
                {e: 50.0 for e in range(epochs)},
                {e: 1.0 for e in range(epochs)},
                params,
                flops,
                {"arch_str": ARCHS[index], "channel": 16, "num_cells": 5, "class_num": 10},
                seed,
                epochs,
                [0.01],
            )
            keys = [(s, e) for s in EVAL_SETS[dataset] for e in range(epochs)]
            final = {s: _truth(index, hp, dataset, s, seed) for s in EVAL_SETS[dataset]}
            # earlier epochs get other values, so reading a non-final epoch would show
            accs = {f"{s}@{e}": final[s] if e == epochs - 1 else final[s] - 20.0 for s, e in keys}
            run.update_eval(accs, {f"{s}@{e}": 1.0 for s, e in keys}, {f"{s}@{e}": 0.5 for s, e in keys})
            results.update(dataset, seed, run)
    return results


def _expected_frame(datasets=DATASETS, twelve_epoch_datasets=tuple(EVAL_SETS)) -> pd.DataFrame:
    def mean(hp, dataset, setname, index):
        if hp == "12" and dataset not in twelve_epoch_datasets:
            return math.nan
        return (_truth(index, hp, dataset, setname, SEEDS[0]) + _truth(index, hp, dataset, setname, SEEDS[1])) / 2

    rows = []
    for index, arch in enumerate(ARCHS):
        row = {"nb201_index": index, "arch_str": arch}
        for hp in ("200", "12"):
            for dataset in datasets:
                test_set = "ori-test" if dataset == "cifar10" else "x-test"
                valid_dataset = "cifar10-valid" if dataset == "cifar10" else dataset
                row[f"test_acc_{hp}ep_{dataset}"] = mean(hp, dataset, test_set, index)
                row[f"val_acc_{hp}ep_{dataset}"] = mean(hp, valid_dataset, "x-valid", index)
        for dataset in datasets:
            row[f"params_M_{dataset}"], row[f"flops_M_official_{dataset}"] = _cost(index, dataset)
        rows.append(row)
    return pd.DataFrame(rows, columns=import_columns(datasets))


def _nb201_file(path: Path, twelve_epoch_datasets=tuple(EVAL_SETS)) -> Path:
    from nas_201_api import api_utils

    infos = {
        i: {
            "less": _arch_results(api_utils, i, "12", twelve_epoch_datasets).state_dict(),
            "full": _arch_results(api_utils, i, "200").state_dict(),
        }
        for i in range(len(ARCHS))
    }
    torch.save({"meta_archs": list(ARCHS), "arch2infos": infos, "evaluated_indexes": list(range(len(ARCHS)))}, path)
    return path


def _nats_infos(index: int) -> dict:
    from nats_bench import api_utils

    return {hp: _arch_results(api_utils, index, hp).state_dict() for hp in ("12", "200")}


def _nats_file(path: Path) -> Path:
    from nats_bench import pickle_save

    infos = {i: _nats_infos(i) for i in range(len(ARCHS))}
    pickle_save(
        {"meta_archs": list(ARCHS), "arch2infos": infos, "evaluated_indexes": set(range(len(ARCHS)))}, str(path).removesuffix(".pbz2")
    )
    return path


def _nats_directory(path: Path) -> Path:
    from nats_bench import pickle_save

    path.mkdir()
    pickle_save({"meta_archs": list(ARCHS)}, str(path / "meta.pickle"))
    for i in range(len(ARCHS)):
        pickle_save(_nats_infos(i), str(path / f"{i:06d}.pickle"))
    return path


# -- importer ------------------------------------------------------------------------------------
def test_nb201_pth_import_equals_the_planted_means(tmp_path):
    frame = import_nb201(_nb201_file(tmp_path / "NAS-Bench-201-v1_1-096897.pth"), progress=False)
    pd.testing.assert_frame_equal(frame, _expected_frame(), check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("make", [_nats_file, _nats_directory], ids=["pickle-file", "fast-mode-directory"])
def test_nats_import_equals_the_planted_means(tmp_path, make):
    name = "NATS-tss-v1_0-3ffb9-full.pickle.pbz2" if make is _nats_file else "NATS-tss-v1_0-3ffb9-simple"
    frame = import_nb201(make(tmp_path / name), progress=False)
    pd.testing.assert_frame_equal(frame, _expected_frame(), check_exact=False, rtol=1e-12)


def test_twelve_epoch_metrics_missing_from_the_file_are_nan(tmp_path):
    # NAS-Bench-201 v1_0 trained the 12-epoch schedule on cifar10-valid only
    path = _nb201_file(tmp_path / "NAS-Bench-201-v1_0-e61699.pth", twelve_epoch_datasets=("cifar10-valid",))
    frame = import_nb201(path, progress=False)
    assert frame["val_acc_12ep_cifar10"].notna().all()
    for column in ("test_acc_12ep_cifar10", "test_acc_12ep_cifar100", "val_acc_12ep_ImageNet16-120"):
        assert frame[column].isna().all(), column
    expected = _expected_frame(twelve_epoch_datasets=("cifar10-valid",))
    pd.testing.assert_frame_equal(frame, expected, check_exact=False, rtol=1e-12)


def test_open_api_object_dataset_subset_and_atomic_gzip_output(tmp_path):
    api = open_benchmark(_nb201_file(tmp_path / "bench.pth"))
    out = tmp_path / "out" / "nb201_official.csv.gz"
    frame = import_nb201(api, datasets=["cifar100"], out=out, progress=False)
    assert list(frame.columns) == [
        "nb201_index",
        "arch_str",
        "test_acc_200ep_cifar100",
        "val_acc_200ep_cifar100",
        "test_acc_12ep_cifar100",
        "val_acc_12ep_cifar100",
        "params_M_cifar100",
        "flops_M_official_cifar100",
    ]
    assert out.read_bytes()[:2] == b"\x1f\x8b" and out.read_bytes()[4:8] == b"\0\0\0\0"  # gzip, header time 0
    pd.testing.assert_frame_equal(pd.read_csv(out), frame)  # full precision survives the round trip
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_missing_benchmark_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"NB201 benchmark .*nope\.pth does not exist; expected a NAS-Bench-201 file"):
        import_nb201(tmp_path / "nope.pth", progress=False)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bench.csv", b"a,b\n1,2\n", r"cannot tell the format of .*bench\.csv: expected a NAS-Bench-201 file"),
        (
            "bench.pth",
            b"not a torch file",
            r"cannot read .*bench\.pth as an NB201 benchmark \(UnpicklingError: .*\) "
            r"\(if this is the official file .*TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1.*; expected a NAS-Bench-201 file",
        ),
        ("bench.pickle.pbz2", b"BZh9 garbage", r"cannot read .*bench\.pickle\.pbz2 as an NB201 benchmark"),
    ],
)
def test_wrong_format_is_a_value_error_naming_the_expected_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        import_nb201(path, progress=False)


def test_torch_file_without_benchmark_keys_is_rejected(tmp_path):
    path = tmp_path / "weights.pth"
    torch.save({"state_dict": {}}, path)
    with pytest.raises(ValueError, match=r"AssertionError: Can not find key\[meta_archs\].*expected a NAS-Bench-201 file"):
        import_nb201(path, progress=False)


def test_directory_without_meta_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="has no meta.pickle.pbz2"):
        open_benchmark(tmp_path)


def test_bad_api_object_and_bad_datasets(tmp_path):
    with pytest.raises(ValueError, match="dict is not an NB201 API object .*lacks meta_archs, get_more_info"):
        import_nb201({}, progress=False)
    with pytest.raises(ValueError, match="unknown NB201 dataset 'imagenet'; accepted: cifar10, cifar100, ImageNet16-120"):
        import_columns(["imagenet"])
    with pytest.raises(ValueError, match="choose at least one NB201 dataset"):
        import_columns([])


# -- table built from the public sources --------------------------------------------------------
def test_missing_source_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'nb201/nats_bench.csv.gz' is missing"):
        build_table_from_sources(tmp_path)


@pytest.mark.real_data
def test_truncated_nats_source_is_rejected(tmp_path):
    for relative in ("nb201/naslib_nb201_zen.zip", "nb201/mini-bench-arch-cell-accs.pd", "nb201_zc/nb201_zc_proxies.csv.gz"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).symlink_to(data_file(relative))
    pd.read_csv(data_file("nb201/nats_bench.csv.gz")).head(10).to_csv(tmp_path / "nb201/nats_bench.csv.gz", index=False)
    with pytest.raises(ValueError, match="is not nats_bench.csv: expected 15625 rows .* got 10 rows"):
        build_table_from_sources(tmp_path)


# -- analytic size metrics ----------------------------------------------------------------------
@pytest.mark.real_data
def test_params_and_flops_reproduce_the_table_on_all_cells():
    table = pd.read_csv(data_file("nb201/nb201_all_15625.csv.gz"))
    cells = [NB201Cell.parse(s) for s in table["arch_str"]]
    for dataset in DATASETS:
        params = np.array([params_millions(c, dataset) for c in cells])
        flops = np.array([flops_millions_nbsz(c, dataset) for c in cells])
        assert np.abs(params - table[f"params_M_{dataset}"].to_numpy()).max() < 1e-6, dataset
        assert np.abs(flops - table[f"flops_M_nbsz_{dataset}"].to_numpy()).max() < 1e-6, dataset


def test_params_golden_values():
    empty = NB201Cell(("none",) * 6)
    full = NB201Cell(("nor_conv_3x3",) * 6)
    # skeleton only: 73,306 parameters with the 10-way classifier; 1.5315 M with every edge a 3x3 conv
    assert params_millions(empty, "cifar10") == pytest.approx(0.073306, abs=1e-12)
    assert params_millions(full, "cifar10") == pytest.approx(1.531546, abs=1e-12)
    assert params_millions(empty, "ImageNet16-120") - params_millions(empty, "cifar10") == pytest.approx(110 * 65 / 1e6)
    # per op, summed over the 15 cells (5 per stage at C = 16, 32, 64): 243,040 for a 3x3 conv,
    # 28,000 for a 1x1 conv, nothing for pooling, skip and none
    for op, added in [("nor_conv_3x3", 243_040), ("nor_conv_1x1", 28_000), ("avg_pool_3x3", 0), ("skip_connect", 0)]:
        one = NB201Cell((op,) + ("none",) * 5)
        assert params_millions(one, "cifar100") - params_millions(empty, "cifar100") == pytest.approx(added / 1e6, abs=1e-12)
    with pytest.raises(ValueError, match="unknown NB201 dataset 'svhn'"):
        params_millions(empty, "svhn")


cells = st.lists(st.sampled_from(NB201_OPS), min_size=6, max_size=6).map(lambda ops: NB201Cell(tuple(ops)))


@settings(max_examples=200, deadline=None)
@given(cell=cells, edge=st.integers(0, 5), permutation=st.permutations(range(6)), dataset=st.sampled_from(DATASETS))
def test_size_metrics_depend_on_op_counts_and_grow_with_convolutions(cell, edge, permutation, dataset):
    shuffled = NB201Cell(tuple(cell.ops[i] for i in permutation))
    assert params_millions(shuffled, dataset) == pytest.approx(params_millions(cell, dataset), abs=1e-12)
    assert flops_millions_nbsz(shuffled, dataset) == pytest.approx(flops_millions_nbsz(cell, dataset), abs=1e-12)
    bigger = NB201Cell(tuple("nor_conv_3x3" if i == edge else op for i, op in enumerate(cell.ops)))
    assert params_millions(bigger, dataset) >= params_millions(cell, dataset)
    assert flops_millions_nbsz(bigger, dataset) >= flops_millions_nbsz(cell, dataset)
