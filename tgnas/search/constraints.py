"""Resource constraints for a search: parameters, FLOPs, and HW-NAS-Bench latency per device.

``Constraints(max_params=1.0, max_flops=150, max_latency={"edgegpu": 5})`` keeps only NB201 cells with
at most 1.0 M parameters, 150 M FLOPs and 5 ms latency on the Jetson edge GPU. Costs come from the
benchmark tables, so constraints need the benchmark data (`tgnas data fetch`):

* params and FLOPs: the NB201 table's ``params_M`` and ``flops_M_nbsz`` (NAS-Bench-Suite-Zero FLOPs
  convention) of the chosen dataset (default CIFAR-10);
* latency: HW-NAS-Bench (`tgnas.data.hw`) in ms, devices `DEVICES`. A cell whose latency the source
  did not measure (NaN, e.g. 4,699 cells on ``edgetpu``) cannot be shown to meet a latency limit and
  counts as infeasible.

Constraints exist for the spaces that have a cost table (`COST_TABLES`: NB201; no table gives
latency for DARTS genotypes). A limit that no cell of the space meets raises `ImpossibleConstraintError` (a ValueError) naming the smallest value
the space reaches, before any search starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tgnas.data.hw import DEVICES, hw_metric, load_hw_metrics
from tgnas.data.nb201 import DATASETS, load_nb201_table


class ImpossibleConstraintError(ValueError):
    """No architecture of the space meets the constraints."""


def _limit(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def parse_latency_limit(text: str) -> tuple[str, float]:
    """``"edgegpu=5"`` → ``("edgegpu", 5.0)``; malformed text names the bad part and what is accepted."""
    device, equals, value = str(text).partition("=")
    device = device.strip()
    if not equals:
        raise ValueError(f"latency limit {text!r} must be DEVICE=MS, e.g. edgegpu=5; devices: {', '.join(DEVICES)}")
    if device not in DEVICES:
        raise ValueError(f"unknown HW-NAS-Bench device {device!r} in {text!r}; accepted: {', '.join(DEVICES)}")
    try:
        milliseconds = float(value)
    except ValueError:
        raise ValueError(f"latency limit {value.strip()!r} in {text!r} is not a number of milliseconds") from None
    return device, _limit(f"latency limit for {device}", milliseconds)


@dataclass(frozen=True)
class Constraints:
    """Upper limits on cost; None / empty means no limit (see the module docstring for units)."""

    max_params: float | None = None
    max_flops: float | None = None
    max_latency: Mapping[str, float] = field(default_factory=dict)
    dataset: str = "cifar10"

    def __post_init__(self) -> None:
        if self.max_params is not None:
            object.__setattr__(self, "max_params", _limit("max_params (M)", self.max_params))
        if self.max_flops is not None:
            object.__setattr__(self, "max_flops", _limit("max_flops (M)", self.max_flops))
        if not isinstance(self.max_latency, Mapping):
            raise ValueError(f"max_latency must map devices to milliseconds, got {self.max_latency!r}")
        latency = {}
        for device, value in self.max_latency.items():
            if device not in DEVICES:
                raise ValueError(f"unknown HW-NAS-Bench device {device!r}; accepted: {', '.join(DEVICES)}")
            latency[device] = _limit(f"latency limit for {device}", value)
        object.__setattr__(self, "max_latency", latency)
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown constraint dataset {self.dataset!r}; accepted: {', '.join(DATASETS)}")

    @classmethod
    def from_cli(cls, max_params: float | None, max_flops: float | None, latency: Sequence[str] | None) -> Constraints:
        limits: dict[str, float] = {}
        for text in latency or ():
            device, milliseconds = parse_latency_limit(text)
            if device in limits:
                raise ValueError(f"latency limit for {device} given twice ({text!r})")
            limits[device] = milliseconds
        return cls(max_params, max_flops, limits)

    def __bool__(self) -> bool:
        return self.max_params is not None or self.max_flops is not None or bool(self.max_latency)

    def limits(self) -> dict[str, float]:
        """Cost column → limit, e.g. ``{"params_M": 1.0, "edgegpu_latency": 5.0}``."""
        result = {}
        if self.max_params is not None:
            result["params_M"] = self.max_params
        if self.max_flops is not None:
            result["flops_M"] = self.max_flops
        result.update({f"{device}_latency": ms for device, ms in self.max_latency.items()})
        return result


class NB201CostTable:
    """Costs of every NB201 cell and the feasibility check the search `Evaluator` calls."""

    def __init__(self, constraints: Constraints) -> None:

        self.constraints = constraints
        table = load_nb201_table()
        costs = {
            "params_M": table.metric("params_M", None, constraints.dataset),
            "flops_M": table.metric("flops_M_nbsz", None, constraints.dataset),
        }
        if constraints.max_latency:
            hw = load_hw_metrics(constraints.dataset, table)
            for device in constraints.max_latency:
                costs[f"{device}_latency"] = hw[hw_metric(device)].to_numpy(dtype=np.float64)
        self.costs = costs
        self._row = {arch: row for row, arch in enumerate(table.frame["arch_str"])}
        ok = np.ones(len(table), dtype=bool)
        for column, limit in constraints.limits().items():
            ok &= np.nan_to_num(costs[column], nan=np.inf) <= limit
        self._ok = ok
        if not ok.any():
            raise ImpossibleConstraintError(self._impossible_message())

    def _impossible_message(self) -> str:
        parts = []
        for column, limit in self.constraints.limits().items():
            smallest = float(np.nanmin(self.costs[column]))
            parts.append(f"{column} <= {limit:g} (smallest in NB201: {smallest:g})")
        return "no NB201 cell meets all constraints: " + ", ".join(parts) + "; relax a limit"

    def feasible(self, archs: Sequence[object]) -> np.ndarray:
        return self._ok[[self._row[str(arch)] for arch in archs]]

    def cost(self, arch: object) -> dict[str, float]:
        row = self._row[str(arch)]
        return {column: float(values[row]) for column, values in self.costs.items()}


#: benchmark cost tables by the name of the space whose cells they list (one line per table)
COST_TABLES: dict[str, Callable[[Constraints], NB201CostTable]] = {"nb201": NB201CostTable}


def feasibility_for(space: str, constraints: Constraints | None) -> NB201CostTable | None:
    """The feasibility check for ``space`` (None without constraints); needs the benchmark data."""
    if not constraints:
        return None
    if space not in COST_TABLES:
        raise ValueError(
            f"constraints are supported for {', '.join(COST_TABLES)} only (benchmark tables give params, "
            f"FLOPs and latency for those cells), not for {space!r}"
        )
    return COST_TABLES[space](constraints)
