"""NAS-Bench-201 cells (Dong & Yang, ICLR 2020): 4 feature nodes, 6 edges, 5 operators per edge.

String form (the benchmark's own): ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` where the k-th group lists
the edges into node k and ``op~j`` is the operator on edge j→k. So the edge order of a string is
0→1, 0→2, 1→2, 0→3, 1→3, 2→3 (`EDGES`). NASLib orders the same edges 0→1, 0→2, 0→3, 1→2, 1→3,
2→3 and codes ops differently; `NB201Cell.from_naslib_tuple` converts.

The benchmark's *index* (0…15,624) is the order of its ``meta_archs`` list, a fixed permutation that
no formula reproduces; `tgnas.data.nb201` reads it from the benchmark table.

Edge-op → node-op conversion (`to_graph`, paper §3.1 / Fig. 8)
-------------------------------------------------------------
NB201 puts operators on edges and features on nodes; the predictor wants operators on nodes. Every
edge j→k becomes one operator node (`tgnas.spaces.cell_dag`, shared with TransNAS-Bench-101 micro):
an ``input`` node (cell node 0), the six operator nodes in string order, and an ``output`` node (cell
node 3). ``none`` nodes are removed, then every node off an input→output path (the NAS-Bench-101
pruning rule), so a cell whose output is cut off becomes ``input → output`` with no edge
(`ArchGraph.has_path()` is False). ``skip_connect`` stays an ordinary operator node named
``skip_connect``. ``keep_none=True`` keeps the fixed 8-node form with ``none`` nodes wired like every
other operator.

The evaluation network (`network_params`, `network_flops`, `NB201Space.build_network`)
--------------------------------------------------------------------------------------
The benchmark's macro skeleton: a stem (3×3 conv 3→16 + BN); three stages of `CELLS_PER_STAGE` = 5
copies of the cell with `STAGE_CHANNELS` C = 16, 32, 64; between stages a ResNet basic block with
stride 2 (two ReLU-conv3×3-BN units, the first strided, plus a 2×2 average-pool + 1×1 conv
shortcut); then BN, ReLU, global average pooling and a linear classifier. Convolutions have no
bias, every BatchNorm is affine. Inside a cell only ``nor_conv_1x1`` and ``nor_conv_3x3`` (ReLU →
conv → BN) carry parameters and FLOPs beyond ``avg_pool_3x3``'s; ``skip_connect`` and ``none`` cost
nothing. The space's ``params``/``flops`` (and ``to_graph``'s ``features``) are those of the CIFAR-10
network (10 classes, 32×32 images).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas.spaces.base import SearchSpace, as_rng, check_genes, gene_to_index, parse_int_tuple
from tgnas.spaces.cell_dag import FOUR_NODE_EDGES, edge_op_graph
from tgnas.spaces.graph import ArchGraph
from tgnas.spaces.supernet import Supernet, SupernetCell

#: operators in the benchmark's own order
NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: edges (source node, target node) in the order they appear in the arch string
EDGES = FOUR_NODE_EDGES
N_CELLS = len(NB201_OPS) ** len(EDGES)  # 15,625

#: NASLib op code → op name, and NASLib edge position → position in `EDGES` (see SOURCES.md)
NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
_NASLIB_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_NASLIB_TO_STRING_POSITION = tuple(EDGES.index(edge) for edge in _NASLIB_EDGES)

# -- the evaluation network's skeleton (module docstring) ---------------------------------------
IMAGE_CHANNELS = 3
STAGE_CHANNELS = (16, 32, 64)
CELLS_PER_STAGE = 5
#: class counts and image side lengths of the three NB201 datasets
NUM_CLASSES = {"cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}
IMAGE_SIZE = {"cifar10": 32, "cifar100": 32, "ImageNet16-120": 16}
#: kernel size of the parametrised cell operators
_CONV_KERNEL = {"nor_conv_3x3": 3, "nor_conv_1x1": 1}


def _accepted_ops() -> str:
    return ", ".join(NB201_OPS)


@dataclass(frozen=True)
class NB201Cell:
    """One NB201 cell: the operator on each edge, in `EDGES` order."""

    ops: tuple[str, str, str, str, str, str]

    def __post_init__(self) -> None:
        ops = tuple(self.ops)
        if len(ops) != len(EDGES):
            raise ValueError(f"an NB201 cell has {len(EDGES)} edges, got {len(ops)} ops: {list(ops)}")
        for position, op in enumerate(ops):
            if op not in NB201_OPS:
                source, target = EDGES[position]
                raise ValueError(f"unknown NB201 op {op!r} on edge {source}->{target}; accepted: {_accepted_ops()}")
        object.__setattr__(self, "ops", ops)

    # -- string form ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> NB201Cell:
        """Parse ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` (surrounding whitespace is ignored)."""
        if not isinstance(text, str):
            raise ValueError(f"an NB201 arch string must be a str, got {type(text).__name__}")
        stripped = text.strip()
        groups = stripped.split("+")
        if len(groups) != 3:
            raise ValueError(
                f"NB201 arch string {text!r} must have 3 '+'-separated node groups, got {len(groups)}; "
                "expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"
            )
        ops: list[str] = []
        for target, group in enumerate(groups, start=1):
            if not (group.startswith("|") and group.endswith("|") and len(group) > 1):
                raise ValueError(f"NB201 node group {group!r} must be written |op~j|…|, in {text!r}")
            tokens = group[1:-1].split("|")
            if len(tokens) != target:
                raise ValueError(f"node {target} of an NB201 cell has {target} input edge(s), got {len(tokens)} in group {group!r}")
            for source, token in enumerate(tokens):
                op, tilde, index = token.partition("~")
                if not tilde or index != str(source):
                    raise ValueError(f"bad NB201 edge token {token!r} in {text!r}: expected 'op~{source}' for edge {source}->{target}")
                if op not in NB201_OPS:
                    raise ValueError(f"unknown NB201 op {op!r} in token {token!r}; accepted: {_accepted_ops()}")
                ops.append(op)
        return cls(tuple(ops))  # type: ignore[arg-type]

    def __str__(self) -> str:
        o = self.ops
        return f"|{o[0]}~0|+|{o[1]}~0|{o[2]}~1|+|{o[3]}~0|{o[4]}~1|{o[5]}~2|"

    # -- other encodings -----------------------------------------------------------------------
    @classmethod
    def from_naslib_tuple(cls, codes: Sequence[int] | str) -> NB201Cell:
        """From NASLib's op-index tuple, e.g. ``(2, 2, 0, 2, 2, 3)`` or its string form."""
        values = parse_int_tuple(codes, "NASLib NB201 tuple")
        if len(values) != len(EDGES):
            raise ValueError(f"a NASLib NB201 tuple has {len(EDGES)} entries, got {len(values)}: {codes!r}")
        ops = [""] * len(EDGES)
        for naslib_position, code in enumerate(values):
            if not 0 <= code < len(NASLIB_OPS):
                raise ValueError(
                    f"NASLib NB201 op code {code} out of range in {codes!r}; accepted: "
                    + ", ".join(f"{i}={name}" for i, name in enumerate(NASLIB_OPS))
                )
            ops[_NASLIB_TO_STRING_POSITION[naslib_position]] = NASLIB_OPS[code]
        return cls(tuple(ops))  # type: ignore[arg-type]

    def to_naslib_tuple(self) -> tuple[int, ...]:
        return tuple(NASLIB_OPS.index(self.ops[position]) for position in _NASLIB_TO_STRING_POSITION)

    @property
    def code(self) -> int:
        """Position in the lexicographic enumeration `NB201Space.all_cells` (not the benchmark index)."""
        value = 0
        for op in self.ops:
            value = value * len(NB201_OPS) + NB201_OPS.index(op)
        return value

    @classmethod
    def from_code(cls, code: int) -> NB201Cell:
        if not 0 <= int(code) < N_CELLS:
            raise ValueError(f"NB201 code must be in 0..{N_CELLS - 1}, got {code}")
        digits = []
        value = int(code)
        for _ in EDGES:
            value, digit = divmod(value, len(NB201_OPS))
            digits.append(NB201_OPS[digit])
        return cls(tuple(reversed(digits)))  # type: ignore[arg-type]

    # -- structure -----------------------------------------------------------------------------
    def has_path(self) -> bool:
        """True iff some input→output path avoids ``none`` (otherwise the cell outputs zeros)."""
        reached = {0}
        for (source, target), op in zip(EDGES, self.ops):  # EDGES is sorted by target node
            if op != "none" and source in reached:
                reached.add(target)
        return 3 in reached

    def op_counts(self) -> dict[str, int]:
        return {op: self.ops.count(op) for op in NB201_OPS}

    def to_graph(self, keep_none: bool = False) -> ArchGraph:
        """Operator-on-node DAG (module docstring explains the rule)."""
        return _cell_graph(self.ops, keep_none)


@functools.lru_cache(maxsize=2 * N_CELLS)  # graphs are immutable; scoring the whole space repeatedly is common
def _cell_graph(edge_ops: tuple[str, ...], keep_none: bool) -> ArchGraph:
    cell = NB201Cell(edge_ops)  # type: ignore[arg-type]
    space = NB201Space()
    features = {"params_M": space.params(cell), "flops_M": space.flops(cell)}
    return edge_op_graph(EDGES, edge_ops, "none", space.name, features, space.format(cell), keep_zero=keep_none)


def _conv_bn_params(c_in: int, c_out: int, kernel: int) -> int:
    """Conv (no bias) followed by an affine BatchNorm."""
    return kernel * kernel * c_in * c_out + 2 * c_out


def network_params(cell: NB201Cell, num_classes: int = 10) -> int:
    """Trainable parameters (BN affine included) of the NB201 network of ``cell`` (module docstring)."""
    first, last = STAGE_CHANNELS[0], STAGE_CHANNELS[-1]
    stem = _conv_bn_params(IMAGE_CHANNELS, first, 3)
    reductions = sum(  # two conv-BN units, plus the shortcut's 1×1 conv (no BN)
        _conv_bn_params(c_in, c_out, 3) + _conv_bn_params(c_out, c_out, 3) + c_in * c_out
        for c_in, c_out in zip(STAGE_CHANNELS, STAGE_CHANNELS[1:])
    )
    cells = sum(CELLS_PER_STAGE * _conv_bn_params(c, c, _CONV_KERNEL[op]) for c in STAGE_CHANNELS for op in cell.ops if op in _CONV_KERNEL)
    head = 2 * last + last * num_classes + num_classes
    return stem + reductions + cells + head


def _relu_conv_bn_flops(c_in: int, c_out: int, kernel: int, side_in: int, stride: int = 1) -> int:
    side = side_in // stride
    return c_in * side_in**2 + c_out * side**2 * c_in * kernel * kernel + 2 * c_out * side**2


def network_flops(cell: NB201Cell, num_classes: int = 10, image_size: int = 32) -> int:
    """FLOPs of one image through the NB201 network of ``cell``, NAS-Bench-Suite-Zero convention.

    That convention (the benchmark table's ``flops_M_nbsz``; *not* the official NB201 FLOPs, which
    count convolutions and the classifier only): a convolution counts its multiply-accumulates,
    BatchNorm 2 per element, ReLU 1 per element, a k×k average pooling k² per output element, the
    global average pooling (h+1)·(w+1) per output element and the classifier in×out; additions
    (cell nodes, residuals) count nothing. Equal to `tgnas.zerocost.counting.count_flops` of the
    torch network and to the table for every cell (tests).
    """
    side = image_size
    first, last = STAGE_CHANNELS[0], STAGE_CHANNELS[-1]
    total = first * side**2 * IMAGE_CHANNELS * 9 + 2 * first * side**2  # stem conv + BN
    for stage, channels in enumerate(STAGE_CHANNELS):
        if stage > 0:
            c_in = STAGE_CHANNELS[stage - 1]
            total += _relu_conv_bn_flops(c_in, channels, 3, side, stride=2)
            side //= 2
            total += _relu_conv_bn_flops(channels, channels, 3, side)
            total += c_in * side**2 * 4 + channels * side**2 * c_in  # shortcut: 2×2 avg-pool, then 1×1 conv
        for op in cell.ops:
            if op in _CONV_KERNEL:
                total += CELLS_PER_STAGE * _relu_conv_bn_flops(channels, channels, _CONV_KERNEL[op], side)
            elif op == "avg_pool_3x3":
                total += CELLS_PER_STAGE * channels * side**2 * 9
    total += 3 * last * side**2  # final BN + ReLU
    total += last * (side + 1) ** 2  # global average pooling
    return total + last * num_classes


def _cell_of_genes(genes: np.ndarray) -> NB201Cell:
    return NB201Cell(tuple(NB201_OPS[i] for i in gene_to_index(genes, len(NB201_OPS))))  # type: ignore[arg-type]


def _cell_of_supernet(cells: tuple[SupernetCell, ...]) -> NB201Cell:
    choices = cells[0].choices
    return NB201Cell(tuple(choices[edge][0] for edge in EDGES))  # type: ignore[arg-type]


class NB201Space(SearchSpace[NB201Cell]):
    """The 15,625-cell NAS-Bench-201 / NATS-Bench topology space."""

    name = "nb201"
    ops = NB201_OPS
    arch_type = NB201Cell
    evolution_budget = (20, 30)

    def parse(self, text: str) -> NB201Cell:
        return NB201Cell.parse(text)

    def sample(self, rng: int | np.random.Generator | None = None) -> NB201Cell:
        choice = as_rng(rng, "rng").integers(len(NB201_OPS), size=len(EDGES))
        return NB201Cell(tuple(NB201_OPS[i] for i in choice))  # type: ignore[arg-type]

    def neighbours(self, arch: NB201Cell) -> list[NB201Cell]:
        """The 24 cells that differ from ``arch`` on exactly one edge."""
        result = []
        for position, current in enumerate(arch.ops):
            for op in NB201_OPS:
                if op != current:
                    ops = list(arch.ops)
                    ops[position] = op
                    result.append(NB201Cell(tuple(ops)))  # type: ignore[arg-type]
        return result

    def to_graph(self, arch: NB201Cell, keep_none: bool = False) -> ArchGraph:
        return self.check_arch(arch).to_graph(keep_none=keep_none)

    def all_cells(self) -> list[NB201Cell]:
        """Every cell once, in `NB201Cell.code` order (use `tgnas.data.nb201` for benchmark order)."""
        return [NB201Cell(ops) for ops in itertools.product(NB201_OPS, repeat=len(EDGES))]  # type: ignore[arg-type]

    def gene_count(self) -> int:
        """One gene per edge (in `EDGES` order) over the 5 `NB201_OPS`."""
        return len(EDGES)

    def decode_genes(self, genes: np.ndarray) -> NB201Cell:
        return _cell_of_genes(check_genes(self.name, genes, self.gene_count()))

    def supernet(self, arch: NB201Cell | None = None) -> Supernet:
        """All five operators on all six edges, or the single-op supernet of ``arch``; edges are fixed."""
        choices = [NB201_OPS] * len(EDGES) if arch is None else [(op,) for op in arch.ops]
        return Supernet(self.name, (SupernetCell(1, (3,), tuple(zip(EDGES, choices))),), _cell_of_supernet)

    def params(self, arch: NB201Cell) -> float:
        """Parameters (millions) of the CIFAR-10 network (equals the table's ``params_M``)."""
        return network_params(arch, NUM_CLASSES["cifar10"]) / 1e6

    def flops(self, arch: NB201Cell) -> float:
        """FLOPs (millions, NAS-Bench-Suite-Zero convention) of the CIFAR-10 network (the table's ``flops_M_nbsz``)."""
        return network_flops(arch, NUM_CLASSES["cifar10"], IMAGE_SIZE["cifar10"]) / 1e6

    def build_network(self, arch: NB201Cell, num_classes: int = 10):
        """The torch network of ``arch`` (`tgnas.spaces.nb201_network`), PyTorch's default initialisation."""
        from tgnas.spaces.nb201_network import build_nb201_network  # torch: only zero-cost scoring needs it

        return build_nb201_network(arch, num_classes)
