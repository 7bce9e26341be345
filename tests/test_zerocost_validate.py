"""Agreement with the NB-SZ reference scores: `validate_against_reference` and its cell sample."""

from __future__ import annotations

import pandas as pd
import pytest

from tgnas.zerocost import validate
from tgnas.zerocost.compute import ProxyScores
from tgnas.zerocost.validate import sample_reference_cells, validate_against_reference

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: a stand-in reference table: ``params`` rises with the cell number, ``snip`` falls
FAKE_CELLS = [f"|cell_{i}~0|" for i in range(8)]
FAKE_REFERENCE = pd.DataFrame({"arch_str": FAKE_CELLS, "params": [float(i) for i in range(8)], "snip": [-10.0 * i for i in range(8)]})


@pytest.fixture
def fake_reference(monkeypatch):
    """`validate` reading FAKE_REFERENCE and scoring with a fake proxy run that records its calls."""
    calls = {"cells": [], "batches": [], "tg": []}
    batch = object()
    number = {cell: i for i, cell in enumerate(FAKE_CELLS)}

    def fake_compute(arch, names, batch=None, seed=0):
        calls["cells"].append(arch)
        calls["batches"].append(batch)
        i = number[arch]
        # params in the reference's order, snip in the opposite order of the reference's snip
        scores = {"params": 2.0 * i + 1.0, "snip": 5.0 * i}
        return ProxyScores(arch, {name: scores[name] for name in names}, {name: 0.5 for name in names})

    def fake_tg(archs):
        calls["tg"].append(list(archs))
        return 0.25

    monkeypatch.setattr(validate, "load_zc_proxies", lambda dataset, table=None: FAKE_REFERENCE.copy())
    monkeypatch.setattr(validate, "compute_proxies", fake_compute)
    monkeypatch.setattr(validate, "load_minibatch", lambda batch_size, seed: batch)
    monkeypatch.setattr(validate, "tg_seconds_per_cell", fake_tg)
    return calls, batch


def test_correlations_are_between_our_scores_and_the_reference_of_the_same_cells(fake_reference):
    calls, batch = fake_reference
    report = validate_against_reference(n=5, seed=3, names=["params", "snip"], batch_size=16, table="table", progress=False)
    sampled = sample_reference_cells(5, 3, "table")
    assert calls["cells"] == sampled and len(set(sampled)) == 5
    assert calls["batches"] == [batch] * 5  # snip needs images: one shared minibatch
    assert report["spearman_vs_reference"] == pytest.approx({"params": 1.0, "snip": -1.0})
    assert report["seconds_per_cell"] == pytest.approx({"params": 0.5, "snip": 0.5})
    assert calls["tg"] == [sampled] and report["tg_seconds_per_cell"] == 0.25
    assert (report["n"], report["seed"], report["batch_size"]) == (5, 3, 16)


def test_data_free_proxies_get_no_minibatch(fake_reference):
    calls, _ = fake_reference
    report = validate_against_reference(n=4, names=["params"], table="table", progress=False)
    assert calls["batches"] == [None] * 4
    assert list(report["spearman_vs_reference"]) == ["params"]


def test_the_sample_is_seeded_and_its_size_checked(fake_reference):
    assert sample_reference_cells(6, 0, "table") == sample_reference_cells(6, 0, "table")
    assert sample_reference_cells(6, 0, "table") != sample_reference_cells(6, 1, "table")
    assert set(sample_reference_cells(8, 0, "table")) == set(FAKE_CELLS)
    for bad in (2, 9, 4.0, True):
        with pytest.raises(ValueError, match=r"n must be an int between 3 and 8 \(cells with reference scores\)"):
            sample_reference_cells(bad, 0, "table")


@pytest.mark.real_data
def test_architecture_only_proxies_agree_with_the_reference_exactly(monkeypatch):
    monkeypatch.setattr(validate, "tg_seconds_per_cell", lambda archs: None)  # the TG proxy is timed elsewhere
    report = validate_against_reference(n=8, seed=1, names=["params", "flops"], progress=False)
    assert report["spearman_vs_reference"] == pytest.approx({"params": 1.0, "flops": 1.0})
    assert report["n"] == 8 and all(seconds > 0 for seconds in report["seconds_per_cell"].values())
