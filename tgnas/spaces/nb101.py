"""NAS-Bench-101 cells (Ying et al., ICML 2019): operators on the nodes of a DAG of at most 7 nodes.

A cell is an ``n × n`` 0/1 adjacency matrix (``matrix[i, j] == 1`` iff data flows from node i to
node j) plus one operator per node. Node 0 is ``input``, node n-1 is ``output``, the others use one
of `NB101_OPS`. The benchmark's rules: 2 ≤ n ≤ 7, nodes in topological order (strictly upper
triangular matrix), at most 9 edges, an input→output path.

Pruning, done on construction
-----------------------------
Like the official ``ModelSpec``, `NB101Cell` removes every node that is not on an input→output
path, so ``NB101Cell(matrix, ops).matrix`` can be smaller than ``matrix``. The 9-edge limit is
checked after pruning, as the official API does (NASLib stores unpruned 7×7 specs whose dangling
edges would otherwise break it). Equality and ``hash()`` compare the pruned matrix and ops exactly,
so specs that differ only in dead nodes are equal. Specs that are the same graph with the nodes in
another order are *not* equal, but have the same `NB101Cell.graph_hash`, the benchmark's key.

String form
-----------
``"<row 0>/<row 1>/…/<row n-1>|<op 0>,<op 1>,…,<op n-1>"``, each row written as n digits 0/1, e.g.
``"0110/0001/0001/0000|input,conv3x3-bn-relu,maxpool3x3,output"``. `str(cell)` always writes the
pruned cell; `NB101Cell.parse` accepts any valid (also unpruned) spec in this form.

NASLib tuple
------------
The n×n matrix flattened row by row, then n op codes (0=input, 1=output, 2=maxpool3x3,
3=conv1x1-bn-relu, 4=conv3x3-bn-relu). NASLib writes the *unpruned* spec, so
``to_naslib_tuple(from_naslib_tuple(t))`` is ``t`` only when ``t`` is already pruned; compare
cells, or their graph hashes, instead of tuples.

Size
----
`network_params` counts the trainable parameters of the benchmark's CIFAR-10 network of a cell
(Ying et al. 2019, §2.1 and its code's channel rule): a 3×3 stem to 128 channels, then 3 stacks of
3 modules at 128, 256 and 512 channels (a 2×2 max-pool before stacks 2 and 3), global pooling and
a 512→10 classifier. In a module the output's channels are split as evenly as possible over the
vertices that feed the output (the first ones get the remainder) and the output concatenates them;
any other vertex gets the widest of its successors' widths; a vertex fed by the module input reads it
through a 1×1 convolution to its width, and an input→output edge adds such a projection to the
output's width. Convolutions have no bias and are followed by an affine batch norm (2 parameters
per channel); max-pooling has none. It reproduces NASLib's ``params`` and the official
``trainable_parameters`` of every cell in the data directory exactly (tests). FLOPs are not
counted (`NB101Space.flops` is unsupported).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas.spaces.base import SearchSpace, as_rng, parse_int_tuple
from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph

#: candidate operators, in the benchmark's own order (their index is the label `graph_hash` uses)
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
MAX_NODES = 7
MAX_EDGES = 9

#: NASLib op codes (see SOURCES.md "NB101 tuple")
NASLIB_OP_CODES = {INPUT: 0, OUTPUT: 1, "maxpool3x3": 2, "conv1x1-bn-relu": 3, "conv3x3-bn-relu": 4}
_NASLIB_CODE_TO_OP = {code: op for op, code in NASLIB_OP_CODES.items()}
#: NASLib tuple length (n*n + n) → number of nodes n
_NASLIB_LENGTHS = {n * n + n: n for n in range(2, MAX_NODES + 1)}

#: node labels of the official hash: input -1, output -2, an operator its index in NB101_OPS
_HASH_LABELS = {INPUT: -1, OUTPUT: -2, **{op: index for index, op in enumerate(NB101_OPS)}}


class InvalidCellError(ValueError):
    """A matrix/ops pair that breaks an NB101 rule; the message names the rule and what is accepted."""


def _accepted_ops() -> str:
    return ", ".join(NB101_OPS)


def _check_spec(matrix: np.ndarray, ops: tuple[str, ...]) -> None:
    """Raise InvalidCellError for the first NB101 rule the *unpruned* spec breaks (edge limit excepted)."""
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InvalidCellError(f"NB101 adjacency must be a square n×n matrix, got shape {matrix.shape}")
    n = matrix.shape[0]
    if not 2 <= n <= MAX_NODES:
        raise InvalidCellError(
            f"NB101 cell has {n} node{'' if n == 1 else 's'}; accepted: 2 to {MAX_NODES} nodes (input, up to {MAX_NODES - 2} operations, output)"
        )
    if len(ops) != n:
        raise InvalidCellError(f"NB101 cell has {len(ops)} ops for a {n}×{n} adjacency matrix; need one op per node")
    if matrix.dtype.kind not in "biuf":
        raise InvalidCellError(f"NB101 adjacency must hold the numbers 0 and 1, got an array of dtype {matrix.dtype}")
    bad_entries = np.argwhere(~np.isin(matrix, (0, 1)))
    if len(bad_entries):
        i, j = (int(k) for k in bad_entries[0])
        raise InvalidCellError(f"NB101 adjacency entry {matrix[i, j].item()!r} at row {i}, column {j}; accepted: 0 or 1")
    backward = np.argwhere(np.tril(matrix.astype(np.int64)) != 0)
    if len(backward):
        i, j = (int(k) for k in backward[0])
        kind = "self-loop" if i == j else "backward edge"
        raise InvalidCellError(
            f"NB101 adjacency has a {kind} {i}->{j}; accepted: only edges i->j with i < j "
            "(strictly upper triangular: nodes in topological order, so the cell is a DAG)"
        )
    if ops[0] != INPUT:
        raise InvalidCellError(f"first op of an NB101 cell must be {INPUT!r}, got {ops[0]!r}")
    if ops[-1] != OUTPUT:
        raise InvalidCellError(f"last op of an NB101 cell must be {OUTPUT!r}, got {ops[-1]!r}")
    for node, op in enumerate(ops[1:-1], start=1):
        if op not in NB101_OPS:
            raise InvalidCellError(f"op {op!r} at node {node} is not an NB101 op; accepted: {_accepted_ops()}")


@dataclass(frozen=True, eq=False)
class NB101Cell:
    """One NB101 cell, pruned on construction (see the module docstring).

    Attributes:
        matrix: ``(n, n)`` read-only uint8 adjacency of the pruned cell.
        ops: ``n`` operator names, ``"input"`` first and ``"output"`` last.
    """

    matrix: np.ndarray
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        try:
            matrix = np.asarray(self.matrix)
        except ValueError:  # ragged nested lists
            raise InvalidCellError(f"NB101 adjacency must be a square n×n matrix, got {self.matrix!r}") from None
        try:
            ops = tuple(self.ops) if not isinstance(self.ops, str) else None
        except TypeError:
            ops = None
        if ops is None or not all(isinstance(op, str) for op in ops):
            raise InvalidCellError(f"NB101 ops must be a sequence of op names, got {self.ops!r}")
        _check_spec(matrix, ops)
        graph = ArchGraph(ops, matrix, "nb101")
        if not graph.has_path():
            raise InvalidCellError("NB101 cell has no path from input to output; accepted: cells with at least one")
        graph = graph.pruned()
        if graph.n_edges > MAX_EDGES:
            raise InvalidCellError(f"NB101 cell has {graph.n_edges} edges after pruning; accepted: at most {MAX_EDGES}")
        object.__setattr__(self, "matrix", graph.adjacency)  # already a read-only uint8 copy
        object.__setattr__(self, "ops", graph.ops)

    # -- basic views ---------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.ops)

    @property
    def n_edges(self) -> int:
        return int(self.matrix.sum())

    def to_graph(self) -> ArchGraph:
        """The cell as an `ArchGraph` (NB101 already has its operators on nodes); ``source`` is its
        canonical string and ``features`` hold ``params_M``, `network_params` in millions."""
        return ArchGraph(self.ops, self.matrix, "nb101", {"params_M": network_params(self) / 1e6}, str(self))

    # -- the benchmark's key -------------------------------------------------------------------
    def graph_hash(self) -> str:
        """NAS-Bench-101's isomorphism-invariant 32-hex key of this cell.

        The benchmark's algorithm: every node starts from the md5 of the text of its
        ``(out-degree, in-degree, label)`` tuple; then, n times over, a node's new hash is the md5
        of its sorted in-neighbour hashes, ``|``, its sorted out-neighbour hashes, ``|``, its own
        hash (hashes concatenated as hex text). The key is the md5 of the text of the sorted list of
        final node hashes. Renumbering the nodes therefore never changes it.
        """
        cached = self.__dict__.get("_graph_hash")
        if cached is None:
            cached = _neighbourhood_hash(self.matrix, [_HASH_LABELS[op] for op in self.ops])
            object.__setattr__(self, "_graph_hash", cached)
        return cached

    # -- string form ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> NB101Cell:
        """Parse ``"0110/0001/0001/0000|input,conv3x3-bn-relu,maxpool3x3,output"`` (outer whitespace ignored)."""
        if not isinstance(text, str):
            raise ValueError(f"an NB101 cell string must be a str, got {type(text).__name__}")
        parts = text.strip().split("|")
        if len(parts) != 2:
            raise ValueError(f"NB101 cell string {text!r} must be '<rows>|<ops>' with exactly one '|', e.g. '01/00|input,output'")
        rows_text, ops_text = parts
        rows = rows_text.split("/")
        matrix = []
        for index, row in enumerate(rows):
            bad = [char for char in row if char not in "01"]
            if bad or not row:
                found = f"character {bad[0]!r}" if bad else "nothing"
                raise ValueError(f"row {index} {row!r} of NB101 cell string {text!r} has {found}; accepted: digits 0 and 1")
            if len(row) != len(rows):
                raise ValueError(
                    f"row {index} {row!r} of NB101 cell string {text!r} has {len(row)} entries but there are "
                    f"{len(rows)} rows; the matrix must be square"
                )
            matrix.append([int(char) for char in row])
        ops = ops_text.split(",")
        for node, op in enumerate(ops):
            if op not in _HASH_LABELS:
                raise ValueError(
                    f"op {op!r} at node {node} of NB101 cell string {text!r} is not an NB101 op; "
                    f"accepted: {INPUT}, {_accepted_ops()}, {OUTPUT}"
                )
        return cls(np.array(matrix, dtype=np.uint8), tuple(ops))

    def __str__(self) -> str:
        rows = "/".join("".join(str(int(v)) for v in row) for row in self.matrix)
        return f"{rows}|{','.join(self.ops)}"

    def __repr__(self) -> str:
        return f"NB101Cell({str(self)!r})"

    # -- NASLib encoding -----------------------------------------------------------------------
    @classmethod
    def from_naslib_tuple(cls, values: Sequence[int] | str) -> NB101Cell:
        """From NASLib's tuple (flattened n×n matrix, then n op codes), or its string form ``"(0, 1, …)"``."""
        codes = parse_int_tuple(values, "NASLib NB101 tuple")
        if len(codes) not in _NASLIB_LENGTHS:
            accepted = ", ".join(str(length) for length in _NASLIB_LENGTHS)
            raise ValueError(
                f"NASLib NB101 tuple has length {len(codes)}; accepted lengths: {accepted} "
                f"(n*n adjacency entries + n op codes, n = 2..{MAX_NODES})"
            )
        n = _NASLIB_LENGTHS[len(codes)]
        ops = []
        for node, code in enumerate(codes[n * n :]):
            if code not in _NASLIB_CODE_TO_OP:
                accepted = ", ".join(f"{c}={op}" for c, op in sorted(_NASLIB_CODE_TO_OP.items()))
                raise ValueError(f"NASLib NB101 op code {code} at node {node}; accepted: {accepted}")
            ops.append(_NASLIB_CODE_TO_OP[code])
        return cls(np.array(codes[: n * n]).reshape(n, n), tuple(ops))

    def to_naslib_tuple(self) -> tuple[int, ...]:
        """NASLib's tuple of the pruned cell."""
        return (*(int(v) for v in self.matrix.flatten()), *(NASLIB_OP_CODES[op] for op in self.ops))

    # -- identity ------------------------------------------------------------------------------
    def _key(self) -> tuple:
        return (self.ops, self.matrix.tobytes())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NB101Cell):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        # rebuild through the constructor so that an unpickled matrix is read-only again
        return (NB101Cell, (self.matrix, self.ops))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _neighbourhood_hash(matrix: np.ndarray, labels: list[int]) -> str:
    """The NB101 hash of a labelled DAG (algorithm in `NB101Cell.graph_hash`)."""
    n = len(labels)
    out_degree = matrix.sum(axis=1)
    in_degree = matrix.sum(axis=0)
    predecessors = [[u for u in range(n) if matrix[u, v]] for v in range(n)]
    successors = [[w for w in range(n) if matrix[v, w]] for v in range(n)]
    # The tuple text must be exactly "(out, in, label)" with plain ints to match the benchmark's keys.
    hashes = [_md5(str((int(out_degree[v]), int(in_degree[v]), labels[v]))) for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[u] for u in predecessors[v]))
                + "|"
                + "".join(sorted(hashes[w] for w in successors[v]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


#: output channels of the three stacks of the benchmark's network, modules per stack, stem width, classes
STACK_CHANNELS = (128, 256, 512)
MODULES_PER_STACK = 3
STEM_CHANNELS = 128
NUM_CLASSES = 10
_KERNELS = {"conv3x3-bn-relu": 3, "conv1x1-bn-relu": 1}


def _conv_bn(c_in: int, c_out: int, kernel: int) -> int:
    """Parameters of a bias-free convolution followed by an affine batch norm."""
    return kernel * kernel * c_in * c_out + 2 * c_out


def vertex_widths(cell: NB101Cell, c_out: int) -> list[int]:
    """Channels of each vertex of ``cell`` in a module with ``c_out`` output channels (module docstring's rule);
    input and output get 0 here."""
    matrix, n = cell.matrix, cell.n_nodes
    widths = [0] * n
    feeders = [v for v in range(1, n - 1) if matrix[v, n - 1]]
    for rank, vertex in enumerate(feeders):
        widths[vertex] = c_out // len(feeders) + (rank < c_out % len(feeders))
    for vertex in range(n - 2, 0, -1):  # backwards, so every successor's width is known
        if not matrix[vertex, n - 1]:
            widths[vertex] = max(widths[w] for w in range(vertex + 1, n - 1) if matrix[vertex, w])
    return widths


def module_params(cell: NB101Cell, c_in: int, c_out: int) -> int:
    """Trainable parameters of one module of ``cell`` from ``c_in`` to ``c_out`` channels."""
    matrix, n = cell.matrix, cell.n_nodes
    widths = vertex_widths(cell, c_out)
    total = _conv_bn(c_in, c_out, 1) if matrix[0, n - 1] else 0
    for vertex in range(1, n - 1):
        if matrix[0, vertex]:
            total += _conv_bn(c_in, widths[vertex], 1)
        if cell.ops[vertex] in _KERNELS:
            total += _conv_bn(widths[vertex], widths[vertex], _KERNELS[cell.ops[vertex]])
    return total


def network_params(cell: NB101Cell) -> int:
    """Trainable parameters of the benchmark's CIFAR-10 network of ``cell`` (module docstring)."""
    total, c_in = _conv_bn(3, STEM_CHANNELS, 3), STEM_CHANNELS
    for c_out in STACK_CHANNELS:
        for _ in range(MODULES_PER_STACK):
            total, c_in = total + module_params(cell, c_in, c_out), c_out
    return total + c_in * NUM_CLASSES + NUM_CLASSES


def _try_cell(matrix: np.ndarray, ops: Sequence[str]) -> NB101Cell | None:
    """The cell, or None when the spec breaks an NB101 rule (used to filter random and local moves)."""
    try:
        return NB101Cell(matrix, tuple(ops))
    except InvalidCellError:
        return None


class NB101Space(SearchSpace[NB101Cell]):
    """The NAS-Bench-101 space: 423,624 distinct cells (up to isomorphism)."""

    name = "nb101"
    ops = NB101_OPS
    arch_type = NB101Cell

    def parse(self, text: str) -> NB101Cell:
        return NB101Cell.parse(text)

    def params(self, arch: NB101Cell) -> float:
        """`network_params` of ``arch`` in millions."""
        return network_params(self.check_arch(arch)) / 1e6

    def format(self, arch: NB101Cell) -> str:
        return str(self.check_arch(arch))

    def sample(self, rng: int | np.random.Generator | None = None) -> NB101Cell:
        """The official API's random spec: a random 7×7 upper-triangular 0/1 matrix and random ops,
        redrawn until the spec is valid; returned pruned. (Not uniform over distinct cells: small
        cells, reachable from many 7-node specs, are drawn more often, as in the benchmark.)"""
        generator = as_rng(rng, "rng")
        while True:
            matrix = np.triu(generator.integers(0, 2, size=(MAX_NODES, MAX_NODES)), k=1)
            interior = generator.integers(len(NB101_OPS), size=MAX_NODES - 2)
            cell = _try_cell(matrix, (INPUT, *(NB101_OPS[i] for i in interior), OUTPUT))
            if cell is not None:
                return cell

    def neighbours(self, arch: NB101Cell) -> list[NB101Cell]:
        """Every valid cell one local move from ``arch``, one per graph hash, ``arch``'s own excluded.

        Moves: change one operator; flip one edge (removing an edge may prune nodes away); insert one
        new operator node i→new→j between two nodes i < j. Insertion is the counterpart of pruning: the
        canonical cell has no dead nodes, so without it edge flips could shrink cells but never grow them.
        """
        arch = self.check_arch(arch)
        seen = {arch.graph_hash()}
        result: list[NB101Cell] = []

        def offer(matrix: np.ndarray, ops: Sequence[str]) -> None:
            cell = _try_cell(matrix, ops)
            if cell is not None and cell.graph_hash() not in seen:
                seen.add(cell.graph_hash())
                result.append(cell)

        n = arch.n_nodes
        for node in range(1, n - 1):
            for op in NB101_OPS:
                if op != arch.ops[node]:
                    offer(arch.matrix, (*arch.ops[:node], op, *arch.ops[node + 1 :]))
        for i in range(n):
            for j in range(i + 1, n):
                matrix = arch.matrix.copy()
                matrix[i, j] ^= 1
                offer(matrix, arch.ops)
        if n < MAX_NODES:
            for position in range(1, n):  # the new node goes before old node `position`
                grown = np.insert(np.insert(arch.matrix, position, 0, axis=0), position, 0, axis=1)
                for source in range(position):
                    for target in range(position + 1, n + 1):
                        matrix = grown.copy()
                        matrix[source, position] = matrix[position, target] = 1
                        for op in NB101_OPS:
                            offer(matrix, (*arch.ops[:position], op, *arch.ops[position:]))
        return result

    def to_graph(self, arch: NB101Cell) -> ArchGraph:
        return self.check_arch(arch).to_graph()
