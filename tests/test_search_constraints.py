"""Search constraints (tgnas.search.constraints): parsing, validation, feasibility from the benchmark tables."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas import spaces
from tgnas.scoring import ParamsScorer
from tgnas.search import Constraints, ImpossibleConstraintError, parse_latency_limit, search
from tgnas.search.constraints import NB201CostTable


class ParamsLovingProxy:
    """Prefers big cells (3x3 convs over 1x1 convs), so that a size limit really has to bind."""

    space = "nb201"

    def score_graphs(self, graphs):
        weight = {"nor_conv_3x3": 2.0, "nor_conv_1x1": 1.0}
        return np.array([sum(weight.get(op, 0.01) for op in g.ops) if g.has_path() else -np.inf for g in graphs])


def test_latency_limits_parse():
    assert parse_latency_limit("edgegpu=5") == ("edgegpu", 5.0)
    assert parse_latency_limit(" raspi4 = 12.5") == ("raspi4", 12.5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("edgegpu", "must be DEVICE=MS, e.g. edgegpu=5; devices: edgegpu, raspi4"),
        ("gpu=5", "unknown HW-NAS-Bench device 'gpu' in 'gpu=5'; accepted: edgegpu"),
        ("edgegpu=fast", "latency limit 'fast' in 'edgegpu=fast' is not a number"),
        ("edgegpu=-1", "latency limit for edgegpu must be a positive finite number, got -1.0"),
        ("edgegpu=nan", "positive finite number, got nan"),
    ],
)
def test_malformed_latency_limits_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        parse_latency_limit(text)


def test_constraints_validate_their_limits():
    with pytest.raises(ValueError, match="max_params \\(M\\) must be a positive finite number, got 0"):
        Constraints(max_params=0)
    with pytest.raises(ValueError, match="max_flops \\(M\\) must be a positive number, got '10'"):
        Constraints(max_flops="10")
    with pytest.raises(ValueError, match="unknown HW-NAS-Bench device 'tpu'"):
        Constraints(max_latency={"tpu": 1})
    with pytest.raises(ValueError, match="latency limit for edgegpu given twice"):
        Constraints.from_cli(None, None, ["edgegpu=5", "edgegpu=6"])
    assert not Constraints() and Constraints(max_params=1)
    assert Constraints.from_cli(1.0, None, ["edgegpu=5"]).limits() == {"params_M": 1.0, "edgegpu_latency": 5.0}


def test_constraints_are_refused_for_darts():
    with pytest.raises(ValueError, match="constraints are supported for nb201 only"):
        search("darts", ParamsScorer(), constraints=Constraints(max_params=1.0))


@pytest.mark.real_data
def test_impossible_constraints_fail_before_searching_and_name_the_smallest_value():
    with pytest.raises(ImpossibleConstraintError, match=r"edgegpu_latency <= 0.01 \(smallest in NB201: 0\.5"):
        search("nb201", ParamsLovingProxy(), constraints=Constraints(max_latency={"edgegpu": 0.01}))


@pytest.mark.real_data
@pytest.mark.parametrize("method", ["hybrid", "evolution", "random", "re", "exhaustive"])
def test_found_cells_meet_the_constraints(method):
    constraints = Constraints(max_params=0.5, max_latency={"edgegpu": 4.0})
    costs = NB201CostTable(constraints)
    unconstrained = search("nb201", ParamsLovingProxy(), method="exhaustive", threads=None)
    assert costs.cost(unconstrained.arch)["params_M"] > 0.5  # the limit binds
    result = search("nb201", ParamsLovingProxy(), method=method, seed=0, constraints=constraints, threads=None)
    assert result.feasible
    cost = costs.cost(result.arch)
    assert cost["params_M"] <= 0.5 and cost["edgegpu_latency"] <= 4.0


@pytest.mark.real_data
def test_unmeasured_latency_counts_as_infeasible():
    costs = NB201CostTable(Constraints(max_latency={"edgetpu": 1000.0}))
    cells = list(spaces.create("nb201").all_cells())
    feasible = costs.feasible(cells)
    latency = np.array([costs.cost(cell)["edgetpu_latency"] for cell in cells])
    assert np.isnan(latency).sum() == 4_699  # SOURCES: edgetpu misses 4,699 cells
    assert not feasible[np.isnan(latency)].any() and feasible[~np.isnan(latency)].all()


@pytest.mark.real_data
def test_pruning_alone_reports_a_cell_that_breaks_the_constraints_as_infeasible():
    result = search("nb201", ParamsLovingProxy(), method="pruning", constraints=Constraints(max_params=0.2), threads=None)
    assert not result.feasible and result.to_dict()["score"] is None
