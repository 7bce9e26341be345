"""TransNAS-Bench-101 micro cells (Duan et al., CVPR 2021): NAS-Bench-201's 4-node DAG with 4 operators.

A cell is one op code per edge, six codes in the benchmark's own edge order 0→1, 0→2, 1→2, 0→3, 1→3,
2→3 (the edges into node 1, node 2, node 3; the same DAG and order as NB201's string, `EDGES`). Op
codes (TransNAS-Bench's ``cell_ops.py``): ``0 = zero``, ``1 = identity``, ``2 = relu_conv1x1_bn``,
``3 = relu_conv3x3_bn`` (ReLU → conv → BatchNorm); there is no pooling.

String form (TransNAS-Bench's own arch string): ``64-41414-{0}_{1}{2}_{3}{4}{5}`` (``64`` base
channels, ``41414`` its fixed macro skeleton, then the codes grouped by target node), e.g.
``64-41414-3_33_333``. NASLib's key of a cell is the same six codes as a tuple, ``(3, 3, 3, 3, 3, 3)``
(`TransNASMicroCell.from_naslib_tuple`): unlike NB201, no reordering.

`to_graph` converts edge ops to op nodes by NB201's rule (`tgnas.spaces.cell_dag`, zero op
``zero``). ``features`` stay empty: the benchmark's networks depend on the task (its encoder
skeleton and seven task decoders), so no analytic size is given here.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas.checks import is_integer
from tgnas.spaces.base import SearchSpace, as_rng, check_genes, gene_to_index, parse_int_tuple
from tgnas.spaces.cell_dag import FOUR_NODE_EDGES, edge_op_graph
from tgnas.spaces.graph import ArchGraph

#: node operator names, indexed by op code
MICRO_OPS = ("zero", "identity", "relu_conv1x1_bn", "relu_conv3x3_bn")
ZERO = MICRO_OPS[0]
EDGES = FOUR_NODE_EDGES
N_CELLS = len(MICRO_OPS) ** len(EDGES)  # 4,096
#: TransNAS-Bench's arch-string prefix of every micro cell (base channels, encoder skeleton)
PREFIX = "64-41414-"
#: how many codes each '_'-separated group of the string holds (the edges into nodes 1, 2, 3)
_GROUPS = (1, 2, 3)


def _accepted_codes() -> str:
    return ", ".join(f"{code}={name}" for code, name in enumerate(MICRO_OPS))


@dataclass(frozen=True)
class TransNASMicroCell:
    """One micro cell: the op code (0–3, `MICRO_OPS`) on each edge, in `EDGES` order."""

    codes: tuple[int, int, int, int, int, int]

    def __post_init__(self) -> None:
        codes = tuple(self.codes)
        if len(codes) != len(EDGES):
            raise ValueError(f"a TransNAS micro cell has {len(EDGES)} edges, got {len(codes)} op codes: {list(codes)}")
        for position, code in enumerate(codes):
            if not is_integer(code) or not 0 <= code < len(MICRO_OPS):
                source, target = EDGES[position]
                raise ValueError(f"bad TransNAS micro op code {code!r} on edge {source}->{target}; accepted: {_accepted_codes()}")
        object.__setattr__(self, "codes", tuple(int(code) for code in codes))

    @property
    def ops(self) -> tuple[str, ...]:
        """The operator name on each edge."""
        return tuple(MICRO_OPS[code] for code in self.codes)

    # -- string form ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> TransNASMicroCell:
        """Parse ``64-41414-a_bc_def`` (surrounding whitespace is ignored)."""
        if not isinstance(text, str):
            raise ValueError(f"a TransNAS micro arch string must be a str, got {type(text).__name__}")
        stripped = text.strip()
        if not stripped.startswith(PREFIX):
            raise ValueError(f"TransNAS micro arch string {text!r} must start with {PREFIX!r}, e.g. {PREFIX}3_33_333")
        groups = stripped.removeprefix(PREFIX).split("_")
        if tuple(len(group) for group in groups) != _GROUPS:
            raise ValueError(f"TransNAS micro arch string {text!r} must end in 3 '_'-separated groups of 1, 2 and 3 op codes (a_bc_def)")
        digits = "".join(groups)
        for digit in digits:
            if digit not in "0123":
                raise ValueError(f"bad TransNAS micro op code {digit!r} in {text!r}; accepted: {_accepted_codes()}")
        return cls(tuple(int(digit) for digit in digits))  # type: ignore[arg-type]

    def __str__(self) -> str:
        c = self.codes
        return f"{PREFIX}{c[0]}_{c[1]}{c[2]}_{c[3]}{c[4]}{c[5]}"

    # -- other encodings -----------------------------------------------------------------------
    @classmethod
    def from_naslib_tuple(cls, codes: Sequence[int] | str) -> TransNASMicroCell:
        """From NASLib's key, e.g. ``(1, 0, 0, 2, 1, 0)`` or its string form (the same codes, same order)."""
        values = parse_int_tuple(codes, "NASLib TransNAS micro tuple")
        if len(values) != len(EDGES):
            raise ValueError(f"a NASLib TransNAS micro tuple has {len(EDGES)} entries, got {len(values)}: {codes!r}")
        return cls(values)  # type: ignore[arg-type]

    def to_naslib_tuple(self) -> tuple[int, ...]:
        return self.codes

    @property
    def code(self) -> int:
        """Position in the enumeration `TransNASMicroSpace.all_cells` (the codes read as a base-4 number)."""
        value = 0
        for code in self.codes:
            value = value * len(MICRO_OPS) + code
        return value

    # -- structure -----------------------------------------------------------------------------
    def has_path(self) -> bool:
        """True iff some input→output path avoids ``zero`` (otherwise the cell outputs zeros)."""
        reached = {0}
        for (source, target), code in zip(EDGES, self.codes):  # EDGES is sorted by target node
            if code != 0 and source in reached:
                reached.add(target)
        return 3 in reached

    def to_graph(self) -> ArchGraph:
        """Operator-on-node DAG (`tgnas.spaces.cell_dag`)."""
        return _cell_graph(self.codes)


@functools.lru_cache(maxsize=N_CELLS)  # graphs are immutable; benchmarks convert the same cells repeatedly
def _cell_graph(codes: tuple[int, ...]) -> ArchGraph:
    cell = TransNASMicroCell(codes)  # type: ignore[arg-type]
    return edge_op_graph(EDGES, cell.ops, ZERO, TransNASMicroSpace.name, {}, str(cell))


class TransNASMicroSpace(SearchSpace[TransNASMicroCell]):
    """The 4,096-cell TransNAS-Bench-101 micro space."""

    name = "transnas_micro"
    ops = MICRO_OPS
    arch_type = TransNASMicroCell

    def parse(self, text: str) -> TransNASMicroCell:
        return TransNASMicroCell.parse(text)

    def sample(self, rng: int | np.random.Generator | None = None) -> TransNASMicroCell:
        codes = as_rng(rng, "rng").integers(len(MICRO_OPS), size=len(EDGES))
        return TransNASMicroCell(tuple(int(code) for code in codes))  # type: ignore[arg-type]

    def neighbours(self, arch: TransNASMicroCell) -> list[TransNASMicroCell]:
        """The 18 cells that differ from ``arch`` on exactly one edge."""
        arch = self.check_arch(arch)
        return [
            TransNASMicroCell(arch.codes[:position] + (code,) + arch.codes[position + 1 :])  # type: ignore[arg-type]
            for position, current in enumerate(arch.codes)
            for code in range(len(MICRO_OPS))
            if code != current
        ]

    def to_graph(self, arch: TransNASMicroCell) -> ArchGraph:
        return self.check_arch(arch).to_graph()

    def all_cells(self) -> list[TransNASMicroCell]:
        """Every cell once, in `TransNASMicroCell.code` order."""
        return [TransNASMicroCell(codes) for codes in itertools.product(range(len(MICRO_OPS)), repeat=len(EDGES))]  # type: ignore[arg-type]

    def gene_count(self) -> int:
        """One gene per edge (in `EDGES` order) over the 4 op codes."""
        return len(EDGES)

    def decode_genes(self, genes: np.ndarray) -> TransNASMicroCell:
        codes = gene_to_index(check_genes(self.name, genes, self.gene_count()), len(MICRO_OPS))
        return TransNASMicroCell(tuple(int(code) for code in codes))  # type: ignore[arg-type]
