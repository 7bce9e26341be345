"""The DARTS cell search space (Liu, Simonyan & Yang, ICLR 2019), as used by NAS-Bench-301.

A DARTS network stacks two kinds of cell, *normal* and *reduction*; an architecture (a
*genotype*) fixes both. A cell has two input nodes (0 = the output of the cell two steps back,
c_{k-2}; 1 = the previous cell, c_{k-1}), four intermediate nodes 2..5 and an output that
concatenates the intermediate nodes listed in ``concat`` (always 2, 3, 4, 5 in published cells).
Intermediate node k sums exactly two edges, each an ``(op, j)`` pair: operator ``op`` applied to
node j, with j in 0..k-1. The two j of a node may be equal (``('sep_conv_3x3', 1), ('skip_connect',
1)``): the DARTS network computes that node like any other, and randomly sampled DARTS cells published
by other projects contain such nodes. `DartsSpace.sample` (and the gene decoding of evolution) still
draw two distinct inputs, as DARTS' discretisation does; only the NB301 surrogate, whose encoding
cannot express a repeated input, refuses such genotypes (`tgnas.data.nb301`).

Genotype form
-------------
`DartsGenotype` holds each cell as 8 ``(op, input)`` pairs, two per node 2..5 in node order. The
order of a node's two pairs carries no meaning (DARTS lists them by architecture weight), so the
constructor sorts them by input index (a node reading one input twice: by op, in `DARTS_OPS` order):
equal architectures compare and hash equal, and ``format`` is canonical. The string form is the DARTS repository's ``Genotype(...)`` repr,
parsed without ``eval`` (whitespace, double quotes and ``range(2, 6)`` concat are accepted)::

    Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5],
             reduce=[('max_pool_3x3', 0), ...], reduce_concat=[2, 3, 4, 5])

``none`` is one of the eight DARTS primitives, so a genotype may contain it (that edge passes
zeros); it parses and constructs. Published genotypes never use it (DARTS discretisation skips
``none``), NAS-Bench-301 has no ``none`` edge, and so `DartsSpace.sample` and
`DartsSpace.neighbours` never produce it; `tgnas.data.nb301` rejects it.

NASLib's compact encoding (`DartsGenotype.from_naslib_tuple`)
------------------------------------------------------------
NASLib (and the NAS-Bench-Suite-Zero files) writes a genotype as ``[[(input, op) × 8 normal],
[(input, op) × 8 reduce]]``: the 8 pairs in node order, ``input`` numbered as here (0 = c_{k-2},
1 = c_{k-1}, j ≥ 2 = node j) and ``op`` an index into `NASLIB_OPS`, the 7 `SAMPLED_OPS` in DARTS
order (0 = max_pool_3x3 … 6 = dil_conv_5x5). Checked on the 493 cells of the NB-SZ NB301 file: its
``params`` equal `network_params` of NASLib's network (`NASLIB_CHANNELS`, `NASLIB_LAYERS`,
``op_affine=False``) exactly, which pins every op index except the order of the two pools (neither
has parameters, and NB-SZ counts them with equal FLOPs); that order is NASLib's documented one.
Reading input 0 as c_{k-2} (not c_{k-1}) agrees better with the NB301 surrogate (Kendall τ against
the file's labels 0.42 against 0.37 with 0 and 1 swapped).

Edge-op → node-op conversion (`to_graph`, paper §3.1 / Fig. 8)
-------------------------------------------------------------
Per cell the graph has the two ``input`` nodes (c_{k-2}, c_{k-1}), one operator node per chosen
edge (8, in canonical pair order) and one ``output`` node (the concat). Data flows

* input node j → operator node of every edge that reads j (j = 0, 1);
* both operator nodes of intermediate node j → operator node of every edge that reads j (j ≥ 2:
  node j is the sum of its two edges);
* both operator nodes of intermediate node k → ``output`` for every k in ``concat``.

``cell="both"`` chains the two cells into one graph: the normal cell, then the reduction cell.
The normal cell's concat node is named ``concat`` (a graph has one final ``output``), and it feeds
*both* inputs of the reduction cell, i.e. the reduction cell is read as if it followed a normal
cell twice; the stacking of the real network (c_{k-2} is an older cell) is not modelled. That gives
2 + 8 + 1 + 8 + 1 = 20 nodes.

As for NB201, ``none`` outputs zeros: by default its node is removed with its edges and every node
no longer on an input→output path is pruned (`ArchGraph.pruned`); ``keep_none=True`` keeps the
fixed form (8 operator nodes per cell, ``none`` wired like any other operator, no pruning).
Genotypes without ``none`` whose concat is 2..5 give the same graph either way.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tgnas.checks import is_integer
from tgnas.spaces.base import SearchSpace, as_rng, check_genes, gene_to_index
from tgnas.spaces.graph import CONCAT, INPUT, OUTPUT, ArchGraph  # CONCAT: the normal cell's join node in a "both" graph
from tgnas.spaces.supernet import Supernet, SupernetCell

#: the DARTS PRIMITIVES, in the DARTS repository's order
DARTS_OPS = (
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
#: the operators a discretised DARTS cell (and NAS-Bench-301) actually chooses from
SAMPLED_OPS = DARTS_OPS[1:]
#: NASLib's NB301 op indices (its "compact" encoding): position = code
NASLIB_OPS = SAMPLED_OPS
#: intermediate nodes of a cell; node k reads two of the nodes 0..k-1
INTERMEDIATE_NODES = (2, 3, 4, 5)
EDGES_PER_CELL = 2 * len(INTERMEDIATE_NODES)
DEFAULT_CONCAT = INTERMEDIATE_NODES
CELLS = ("normal", "reduce")

#: unordered pairs of distinct inputs of each intermediate node (the options of its gene in evolution)
INPUT_PAIRS = {node: tuple(itertools.combinations(range(node), 2)) for node in INTERMEDIATE_NODES}

# -- the CIFAR evaluation network (`tgnas.darts.model.NetworkCIFAR`; DARTS paper §A.2) -------------
IMAGE_CHANNELS = 3
IMAGE_SIZE = 32
STEM_MULTIPLIER = 3  # CIFAR stem width, in units of C
CIFAR_CHANNELS = 36
CIFAR_LAYERS = 20
CIFAR_CLASSES = 10
# -- NASLib's NB301 network, on which NAS-Bench-Suite-Zero computed its proxies: 8 cells like the DARTS
# search network but C = 32, no auxiliary head, and no affine weights in the BN of the cells' operations
NASLIB_CHANNELS = 32
NASLIB_LAYERS = 8

Edge = tuple[str, int]
CellChoice = Literal["normal", "reduce", "both"]


def _accepted_ops() -> str:
    return ", ".join(DARTS_OPS)


def _node_of(position: int) -> int:
    """Intermediate node fed by the edge at ``position`` (0..7) of a cell."""
    return INTERMEDIATE_NODES[position // 2]


def _canonical_edges(cell: str, edges: object) -> tuple[Edge, ...]:
    """Validate one cell's 8 ``(op, input)`` pairs and sort each node's pair by input index."""
    if isinstance(edges, (str, bytes)) or not isinstance(edges, Sequence):
        raise ValueError(f"the {cell} cell must be a sequence of (op, input) pairs, got {edges!r}")
    if len(edges) != EDGES_PER_CELL:
        raise ValueError(
            f"the {cell} cell has {len(edges)} edges; a DARTS cell has exactly {EDGES_PER_CELL} "
            f"(2 per intermediate node {INTERMEDIATE_NODES[0]}..{INTERMEDIATE_NODES[-1]})"
        )
    checked: list[Edge] = []
    for position, pair in enumerate(edges):
        node = _node_of(position)
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"edge {position} of the {cell} cell must be an (op, input) pair, got {pair!r}")
        op, source = pair
        if op not in DARTS_OPS:
            raise ValueError(f"unknown DARTS op {op!r} on edge {position} of the {cell} cell; accepted: {_accepted_ops()}")
        if not is_integer(source) or not 0 <= source < node:
            raise ValueError(
                f"input {source!r} of {cell}-cell node {node} is out of range; node {node} reads one of "
                f"0..{node - 1} (0 = c_{{k-2}}, 1 = c_{{k-1}}, j >= 2 = intermediate node j)"
            )
        checked.append((op, int(source)))
    canonical: list[Edge] = []
    for first in range(0, EDGES_PER_CELL, 2):
        canonical.extend(sorted(checked[first : first + 2], key=lambda edge: (edge[1], DARTS_OPS.index(edge[0]))))
    return tuple(canonical)


def _canonical_concat(cell: str, concat: object) -> tuple[int, ...]:
    if isinstance(concat, (str, bytes)) or not isinstance(concat, Iterable):
        raise ValueError(f"{cell}_concat must be a list of intermediate nodes, got {concat!r}")
    nodes = list(concat)
    for node in nodes:
        if not is_integer(node) or node not in INTERMEDIATE_NODES:
            raise ValueError(f"{cell}_concat names node {node!r}; accepted: intermediate nodes {list(INTERMEDIATE_NODES)}")
    if not nodes:
        raise ValueError(f"{cell}_concat is empty; it must name at least one of {list(INTERMEDIATE_NODES)}")
    if len(set(nodes)) != len(nodes):
        raise ValueError(f"{cell}_concat {nodes} names a node twice")
    return tuple(sorted(int(node) for node in nodes))


@dataclass(frozen=True, repr=False)
class DartsGenotype:
    """A DARTS architecture: normal and reduction cell, 8 ``(op, input)`` pairs each.

    Lists are accepted and stored as tuples; each node's two pairs are sorted by input index
    (see the module docstring). ``str(genotype)`` is the canonical ``Genotype(...)`` string.
    """

    normal: tuple[Edge, ...]
    reduce: tuple[Edge, ...]
    normal_concat: tuple[int, ...] = DEFAULT_CONCAT
    reduce_concat: tuple[int, ...] = DEFAULT_CONCAT

    def __post_init__(self) -> None:
        object.__setattr__(self, "normal", _canonical_edges("normal", self.normal))
        object.__setattr__(self, "reduce", _canonical_edges("reduce", self.reduce))
        object.__setattr__(self, "normal_concat", _canonical_concat("normal", self.normal_concat))
        object.__setattr__(self, "reduce_concat", _canonical_concat("reduce", self.reduce_concat))

    def edges(self, cell: str) -> tuple[Edge, ...]:
        """The 8 canonical ``(op, input)`` pairs of ``cell`` (``"normal"`` or ``"reduce"``)."""
        return self.normal if _check_cell(cell) == "normal" else self.reduce

    def concat(self, cell: str) -> tuple[int, ...]:
        return self.normal_concat if _check_cell(cell) == "normal" else self.reduce_concat

    @classmethod
    def parse(cls, text: str) -> DartsGenotype:
        """A ``Genotype(...)`` string or a name from `KNOWN_GENOTYPES` → genotype."""
        return parse(text)

    @classmethod
    def from_naslib_tuple(cls, compact: Sequence[Sequence[Sequence[int]]] | str) -> DartsGenotype:
        """From NASLib's compact encoding ``[[(input, op) × 8], [(input, op) × 8]]`` or its string form (module docstring)."""
        cells = _naslib_cells(compact)
        return cls(normal=cells[0], reduce=cells[1])

    def __str__(self) -> str:
        def pairs(edges: tuple[Edge, ...]) -> str:
            return "[" + ", ".join(f"('{op}', {source})" for op, source in edges) + "]"

        def nodes(concat: tuple[int, ...]) -> str:
            return "[" + ", ".join(str(node) for node in concat) + "]"

        return (
            f"Genotype(normal={pairs(self.normal)}, normal_concat={nodes(self.normal_concat)}, "
            f"reduce={pairs(self.reduce)}, reduce_concat={nodes(self.reduce_concat)})"
        )

    __repr__ = __str__


def _check_cell(cell: str) -> str:
    if cell not in CELLS:
        raise ValueError(f"unknown DARTS cell {cell!r}; accepted: {', '.join(CELLS)}")
    return cell


def _naslib_cells(compact: object) -> list[list[Edge]]:
    """The two cells of a NASLib compact encoding as ``(op, input)`` pairs; ValueError naming what is wrong."""
    what = "a NASLib NB301 tuple"
    if isinstance(compact, str):
        try:
            compact = ast.literal_eval(compact.strip())  # literals only: never evaluates code
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValueError(f"malformed NASLib NB301 tuple {compact[:80]!r}: expected [[(input, op) × 8], [(input, op) × 8]]") from None
    if isinstance(compact, (str, bytes)) or not isinstance(compact, Sequence) or len(compact) != len(CELLS):
        raise ValueError(f"{what} holds two cells (normal, reduce), got {str(compact)[:80]!r}")
    cells = []
    for cell, pairs in zip(CELLS, compact):
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence) or len(pairs) != EDGES_PER_CELL:
            raise ValueError(f"the {cell} cell of {what} must be {EDGES_PER_CELL} (input, op) pairs, got {str(pairs)[:80]!r}")
        edges = []
        for position, pair in enumerate(pairs):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2 or not all(map(is_integer, pair)):
                raise ValueError(f"edge {position} of the {cell} cell of {what} must be an (input, op) pair of integers, got {pair!r}")
            source, code = (int(value) for value in pair)
            if not 0 <= code < len(NASLIB_OPS):
                accepted = ", ".join(f"{i}={op}" for i, op in enumerate(NASLIB_OPS))
                raise ValueError(f"NASLib NB301 op code {code} on edge {position} of the {cell} cell; accepted: {accepted}")
            edges.append((NASLIB_OPS[code], source))
        cells.append(edges)
    return cells


# -- the Genotype(...) string --------------------------------------------------------------------
_TOKEN = re.compile(r"""(?P<name>[A-Za-z_]\w*)|(?P<int>[+-]?\d+)|(?P<str>'[^'\\\n]*'|"[^"\\\n]*")|(?P<punct>[()\[\],=])""")
_FIELDS = ("normal", "normal_concat", "reduce", "reduce_concat")


class _Parser:
    """Recursive-descent reader of the ``Genotype(...)`` repr; each error names position and token."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position == len(text):
                break
            match = _TOKEN.match(text, position)
            if match is None:
                raise ValueError(
                    f"malformed DARTS genotype: unexpected character {text[position]!r} at position {position}"
                    " (expected names, integers, quoted op names and ( ) [ ] , =)"
                )
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(), position))
            position = match.end()
        self.index = 0

    def _peek(self) -> tuple[str, str, int]:
        if self.index < len(self.tokens):
            return self.tokens[self.index]
        return ("end", "end of text", len(self.text))

    def _fail(self, expected: str) -> ValueError:
        _, value, position = self._peek()
        found = value if value == "end of text" else repr(value)
        return ValueError(f"malformed DARTS genotype: expected {expected} at position {position}, found {found}")

    def _take(self, kind: str, value: str | None = None, expected: str | None = None) -> str:
        token_kind, token_value, _ = self._peek()
        if token_kind != kind or (value is not None and token_value != value):
            raise self._fail(expected or repr(value))
        self.index += 1
        return token_value

    def _at(self, value: str) -> bool:
        kind, token_value, _ = self._peek()
        return kind == "punct" and token_value == value

    def _int(self) -> int:
        return int(self._take("int", expected="an integer"))

    def _pairs(self) -> list[tuple[str, int]]:
        self._take("punct", "[")
        pairs: list[tuple[str, int]] = []
        while not self._at("]"):
            if pairs:
                self._take("punct", ",", expected="',' or ']'")
            self._take("punct", "(", expected="'(' opening an (op, input) pair")
            op = self._take("str", expected="a quoted op name")[1:-1]
            self._take("punct", ",")
            source = self._int()
            self._take("punct", ")", expected="')' closing an (op, input) pair")
            pairs.append((op, source))
        self._take("punct", "]")
        return pairs

    def _concat(self) -> list[int]:
        if self._peek()[:2] == ("name", "range"):
            self.index += 1
            self._take("punct", "(")
            start = self._int()
            self._take("punct", ",")
            stop = self._int()
            self._take("punct", ")")
            return list(range(start, stop))
        self._take("punct", "[", expected="'[' or range(")
        nodes: list[int] = []
        while not self._at("]"):
            if nodes:
                self._take("punct", ",", expected="',' or ']'")
            nodes.append(self._int())
        self._take("punct", "]")
        return nodes

    def genotype(self) -> DartsGenotype:
        self._take("name", "Genotype", expected="'Genotype('")
        self._take("punct", "(")
        values: dict[str, object] = {}
        while not self._at(")"):
            if values:
                self._take("punct", ",", expected="',' or ')'")
            position = self._peek()[2]
            field = self._take("name", expected="a field name (" + ", ".join(_FIELDS) + ")")
            if field not in _FIELDS:
                raise ValueError(
                    f"malformed DARTS genotype: unknown field {field!r} at position {position}; accepted: {', '.join(_FIELDS)}"
                )
            if field in values:
                raise ValueError(f"malformed DARTS genotype: field {field!r} given twice (position {position})")
            self._take("punct", "=")
            values[field] = self._concat() if field.endswith("_concat") else self._pairs()
        self._take("punct", ")")
        if self.index != len(self.tokens):
            raise self._fail("end of text after the closing ')'")
        missing = [field for field in _FIELDS if field not in values]
        if missing:
            raise ValueError(f"malformed DARTS genotype: missing field(s) {', '.join(missing)}")
        return DartsGenotype(**values)  # type: ignore[arg-type]


def parse(text: str) -> DartsGenotype:
    """A ``Genotype(...)`` string (module docstring) or a `KNOWN_GENOTYPES` name → `DartsGenotype`."""
    if not isinstance(text, str):
        raise ValueError(f"a DARTS genotype string must be a str, got {type(text).__name__}")
    known = KNOWN_GENOTYPES.get(text.strip().upper())
    if known is not None:
        return known
    stripped = text.strip()
    if re.fullmatch(r"\w+", stripped) and stripped != "Genotype":
        raise ValueError(
            f"unknown DARTS genotype name {stripped!r}; known names: {', '.join(KNOWN_GENOTYPES)} "
            "(or give a Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...]) string)"
        )
    return _Parser(text).genotype()


# -- published genotypes (DARTS paper / repository, cnn/genotypes.py) -----------------------------
#: first-order DARTS cell
DARTS_V1 = DartsGenotype(
    normal=(
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("skip_connect", 0),
        ("sep_conv_3x3", 1),
        ("skip_connect", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("skip_connect", 2),
    ),
    reduce=(
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("skip_connect", 2),
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 0),
        ("skip_connect", 2),
        ("skip_connect", 2),
        ("avg_pool_3x3", 0),
    ),
)
#: second-order DARTS cell (the one the DARTS paper reports, 2.76 % CIFAR-10 test error)
DARTS_V2 = DartsGenotype(
    normal=(
        ("sep_conv_3x3", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 1),
        ("skip_connect", 0),
        ("skip_connect", 0),
        ("dil_conv_3x3", 2),
    ),
    reduce=(
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("skip_connect", 2),
        ("max_pool_3x3", 1),
        ("max_pool_3x3", 0),
        ("skip_connect", 2),
        ("skip_connect", 2),
        ("max_pool_3x3", 1),
    ),
)
KNOWN_GENOTYPES: dict[str, DartsGenotype] = {"DARTS_V1": DARTS_V1, "DARTS_V2": DARTS_V2}


# -- graph conversion -----------------------------------------------------------------------------
def _append_cell(
    ops: list[str],
    links: list[tuple[int, int]],
    edges: tuple[Edge, ...],
    concat: tuple[int, ...],
    inputs: tuple[int, int],
    join_op: str,
) -> int:
    """Append one cell's operator nodes and its join node; return the join node's index."""
    producers: dict[int, list[int]] = {0: [inputs[0]], 1: [inputs[1]]}
    for position, (op, source) in enumerate(edges):
        index = len(ops)
        ops.append(op)
        links.extend((producer, index) for producer in producers[source])
        producers.setdefault(_node_of(position), []).append(index)
    join = len(ops)
    ops.append(join_op)
    links.extend((producer, join) for node in concat for producer in producers[node])
    return join


def to_graph(genotype: DartsGenotype, cell: CellChoice = "both", keep_none: bool = False) -> ArchGraph:
    """Operator-on-node DAG of one cell or of both chained (rule in the module docstring)."""
    ops: list[str] = [INPUT, INPUT]
    links: list[tuple[int, int]] = []
    if cell == "both":
        concat = _append_cell(ops, links, genotype.normal, genotype.normal_concat, (0, 1), CONCAT)
        _append_cell(ops, links, genotype.reduce, genotype.reduce_concat, (concat, concat), OUTPUT)
    elif cell in CELLS:
        _append_cell(ops, links, genotype.edges(cell), genotype.concat(cell), (0, 1), OUTPUT)
    else:
        raise ValueError(f"unknown DARTS cell choice {cell!r}; accepted: normal, reduce, both")
    matrix = np.zeros((len(ops), len(ops)), dtype=np.uint8)
    for source, target in links:
        matrix[source, target] = 1
    features = {"params_M": network_params(genotype) / 1e6, "flops_M": network_flops(genotype) / 1e6}
    graph = ArchGraph(tuple(ops), matrix, "darts", features, str(genotype))
    if keep_none:
        return graph
    keep = [index for index, op in enumerate(graph.ops) if op != "none"]
    matrix = graph.adjacency[np.ix_(keep, keep)]
    return ArchGraph(tuple(graph.ops[i] for i in keep), matrix, "darts", features, str(genotype)).pruned()


# -- analytic size of the CIFAR evaluation network --------------------------------------------------
# DARTS conventions (`tgnas.darts.ops`): ReLU → conv (no bias) → affine BN; a separable convolution is
# two depthwise + pointwise + BN blocks (only the first strides), a dilated one is one such block;
# pools and identity have no parameters; a strided skip is a factorised reduction (two 1×1 convs to
# C/2 each + BN). Cell inputs are mapped to C channels by a 1×1 conv + BN, or by a factorised
# reduction after a reducing cell: both cost c_in·C + 2C parameters and c_in·C multiply-adds per pixel.
_KERNEL = {"sep_conv_3x3": 3, "sep_conv_5x5": 5, "dil_conv_3x3": 3, "dil_conv_5x5": 5}


def _op_params(op: str, channels: int, strided: bool, affine: bool = True) -> int:
    bn = 2 * channels if affine else 0
    block = _KERNEL.get(op, 0) ** 2 * channels + channels * channels + bn  # depthwise, pointwise, BN
    if op.startswith("sep_conv"):
        return 2 * block
    if op.startswith("dil_conv"):
        return block
    return channels * channels + bn if op == "skip_connect" and strided else 0


def _op_flops(op: str, channels: int, side: int) -> int:
    """Multiply-adds of one op whose output is ``side``² pixels (the strided depthwise conv already outputs at ``side``)."""
    block = (_KERNEL.get(op, 0) ** 2 * channels + channels * channels) * side * side
    if op.startswith("sep_conv"):
        return 2 * block
    if op.startswith("dil_conv"):
        return block
    return 0


def _cells(genotype: DartsGenotype, layers: int, channels: int):
    """Per cell of the network: its kind, its C, its input widths c_{k-2}, c_{k-1} and whether it reduces."""
    c_prev_prev = c_prev = STEM_MULTIPLIER * channels
    c_curr = channels
    reductions = {layers // 3, 2 * layers // 3}
    for depth in range(layers):
        reduction = depth in reductions
        c_curr *= 2 if reduction else 1
        cell = "reduce" if reduction else "normal"
        yield cell, c_curr, c_prev_prev, c_prev, reduction
        c_prev_prev, c_prev = c_prev, len(genotype.concat(cell)) * c_curr


def network_params(
    genotype: DartsGenotype,
    channels: int = CIFAR_CHANNELS,
    layers: int = CIFAR_LAYERS,
    num_classes: int = CIFAR_CLASSES,
    op_affine: bool = True,
) -> int:
    """Trainable parameters of the CIFAR network of ``genotype`` without the auxiliary head (DARTS convention).

    ``op_affine=False`` drops the BN weights of the cells' operations (stem and cell-input
    preprocessing keep theirs): NASLib's NB301 network, whose count NAS-Bench-Suite-Zero reports,
    is ``network_params(g, NASLIB_CHANNELS, NASLIB_LAYERS, op_affine=False)``.
    """
    c_stem = STEM_MULTIPLIER * channels
    total = c_stem * IMAGE_CHANNELS * 9 + 2 * c_stem
    c_out = c_stem
    for cell, c, c_prev_prev, c_prev, reduction in _cells(genotype, layers, channels):
        total += (c_prev_prev + c_prev) * c + 4 * c
        total += sum(_op_params(op, c, reduction and source < 2, op_affine) for op, source in genotype.edges(cell))
        c_out = len(genotype.concat(cell)) * c
    return total + c_out * num_classes + num_classes


def network_flops(
    genotype: DartsGenotype, channels: int = CIFAR_CHANNELS, layers: int = CIFAR_LAYERS, num_classes: int = CIFAR_CLASSES
) -> int:
    """Multiply-adds of one 32×32 image through the CIFAR network of ``genotype`` (convolutions and the
    classifier, the DARTS tables' convention; `tgnas.darts.model.count_flops` counts the same)."""
    side = IMAGE_SIZE
    c_stem = STEM_MULTIPLIER * channels
    total = c_stem * side * side * IMAGE_CHANNELS * 9
    c_out = c_stem
    for cell, c, c_prev_prev, c_prev, reduction in _cells(genotype, layers, channels):
        total += (c_prev_prev + c_prev) * c * side * side  # preprocessing, at the resolution of c_{k-1}
        side //= 2 if reduction else 1
        for op, source in genotype.edges(cell):
            strided = reduction and source < 2
            total += _op_flops(op, c, side) + (c * c * side * side if op == "skip_connect" and strided else 0)
        c_out = len(genotype.concat(cell)) * c
    return total + c_out * num_classes


# -- the search space ------------------------------------------------------------------------------
class DartsSpace(SearchSpace[DartsGenotype]):
    """The DARTS / NAS-Bench-301 space: two cells of 8 ``(op, input)`` pairs over `SAMPLED_OPS`."""

    name = "darts"
    ops = DARTS_OPS
    arch_type = DartsGenotype
    #: DARTS has 24 genes and ~10^18 genotypes, so a larger population runs longer
    evolution_budget = (50, 100)

    def parse(self, text: str) -> DartsGenotype:
        return parse(text)

    def sample(self, rng: int | np.random.Generator | None = None) -> DartsGenotype:
        """Per node two distinct inputs uniformly, per edge an op uniformly from `SAMPLED_OPS`."""
        generator = as_rng(rng, "rng")
        cells = []
        for _ in CELLS:
            edges = []
            for node in INTERMEDIATE_NODES:
                for source in generator.choice(node, size=2, replace=False):
                    edges.append((SAMPLED_OPS[int(generator.integers(len(SAMPLED_OPS)))], int(source)))
            cells.append(tuple(edges))
        return DartsGenotype(normal=cells[0], reduce=cells[1])

    def neighbours(self, arch: DartsGenotype) -> list[DartsGenotype]:
        """Every genotype one op or one input away (never introducing ``none``).

        Per cell: 8 edges × 6 other ops, plus for node k each of its two edges rewired to one of the
        k-2 inputs the node does not read yet (0 + 2 + 4 + 6); 120 neighbours when ``arch`` has no
        ``none``. Concat lists are kept.
        """
        result: list[DartsGenotype] = []
        for cell in CELLS:
            edges = arch.edges(cell)
            for position, (op, source) in enumerate(edges):
                partner = edges[position ^ 1][1]  # the other input of the same node
                variants = [(other, source) for other in SAMPLED_OPS if other != op]
                variants += [(op, new) for new in range(_node_of(position)) if new not in (source, partner)]
                for variant in variants:
                    changed = list(edges)
                    changed[position] = variant
                    result.append(_replace_cell(arch, cell, tuple(changed)))
        return result

    def to_graph(self, arch: DartsGenotype, cell: CellChoice = "both", keep_none: bool = False) -> ArchGraph:
        return to_graph(self.check_arch(arch), cell=cell, keep_none=keep_none)

    def gene_count(self) -> int:
        """12 genes per cell (normal, then reduce): per node k = 2..5 one gene over the C(k, 2) pairs of
        distinct inputs (`INPUT_PAIRS`) and two over the 7 `SAMPLED_OPS` (the lower and the higher input's op)."""
        return len(CELLS) * 3 * len(INTERMEDIATE_NODES)

    def decode_genes(self, genes: np.ndarray) -> DartsGenotype:
        """The genotype of a gene vector: valid by construction, distinct inputs per node, never ``none``."""
        values = check_genes(self.name, genes, self.gene_count())
        cells = []
        for cell_genes in values.reshape(len(CELLS), len(INTERMEDIATE_NODES), 3):
            edges = []
            for node, (pair_gene, *op_genes) in zip(INTERMEDIATE_NODES, cell_genes):
                pair = INPUT_PAIRS[node][int(gene_to_index(pair_gene, len(INPUT_PAIRS[node])))]
                ops = gene_to_index(np.array(op_genes), len(SAMPLED_OPS))
                edges += [(SAMPLED_OPS[op], source) for op, source in zip(ops, pair)]
            cells.append(tuple(edges))
        return DartsGenotype(normal=cells[0], reduce=cells[1])

    def supernet(self, arch: DartsGenotype | None = None) -> Supernet:
        """Every edge j→k (j < k) with all `SAMPLED_OPS` in both cells, or the single-op supernet of
        ``arch``; pruning then removes edges until every intermediate node keeps two inputs."""
        cells = []
        for name in CELLS:
            if arch is None:
                edges = tuple(((j, k), SAMPLED_OPS) for k in INTERMEDIATE_NODES for j in range(k))
                concat = INTERMEDIATE_NODES
            else:
                chosen = arch.edges(name)
                edges = tuple(((source, _node_of(i)), (op,)) for i, (op, source) in enumerate(chosen))
                concat = arch.concat(name)
            cells.append(SupernetCell(2, tuple(concat), edges))
        return Supernet(self.name, tuple(cells), _genotype_of_supernet, keep_in_edges=2)

    def params(self, arch: DartsGenotype) -> float:
        """Parameters (millions) of the CIFAR network (C = 36, 20 cells, 10 classes, no auxiliary head)."""
        return network_params(arch) / 1e6

    def flops(self, arch: DartsGenotype) -> float:
        """Multiply-adds (millions) of one CIFAR image through that network (`network_flops`)."""
        return network_flops(arch) / 1e6

    def build_network(self, arch: DartsGenotype, num_classes: int = 10):
        """The CIFAR evaluation network (`tgnas.darts.model.NetworkCIFAR`, C = 36, 20 cells) without the
        auxiliary head, wrapped so that ``forward`` returns the logits alone, as every space's network does."""
        from tgnas.darts.model import LogitsOnly, build_network  # torch: only zero-cost scoring and training need it

        return LogitsOnly(build_network(arch, "cifar10", num_classes=num_classes, auxiliary=False))


def _genotype_of_supernet(cells: tuple[SupernetCell, ...]) -> DartsGenotype:
    normal, reduce = (tuple((ops[0], source) for (source, _), ops in cell.edges) for cell in cells)
    return DartsGenotype(normal=normal, reduce=reduce)


def _replace_cell(genotype: DartsGenotype, cell: str, edges: tuple[Edge, ...]) -> DartsGenotype:
    if cell == "normal":
        return DartsGenotype(edges, genotype.reduce, genotype.normal_concat, genotype.reduce_concat)
    return DartsGenotype(genotype.normal, edges, genotype.normal_concat, genotype.reduce_concat)
