"""NAS-Bench-Graph architectures (Qin et al., NeurIPS 2022): four GNN layers wired as a tree.

Encoding (the benchmark's own)
------------------------------
An architecture has 4 computing nodes. Node k (1…4) reads exactly one earlier value, its *link*:
0 = the raw input, j = the output of computing node j < k; it applies one of the 9 operators of
`NBGRAPH_OPS` (GAT, GCN, GIN, ChebNet, GraphSAGE, ARMA, k-GNN ``graph``, a fully connected layer
``fc``, and ``skip``, the identity). Every leaf (a node no other node reads) feeds the output.

When two encodings are the same architecture
--------------------------------------------
The benchmark trains each architecture once, so it identifies encodings that compute the same
network (its ``valid_hash``). Three facts give that equivalence:

* ``skip`` is the identity: a node that reads a skip node reads what the skip node reads, so every
  non-skip node effectively reads its nearest non-skip ancestor (or the input);
* the output only sees which values reach it, and how often: a skip leaf delivers the value its
  nearest non-skip ancestor computes, and a skip leaf under skips only (it would deliver the raw
  features) counts as absent;
* siblings are unordered.

So an architecture *is* the tree of its non-skip nodes together with how many times each one's
value reaches the output. `NBGraphArch` keeps one representative per class, the one the benchmark
tables use (its link list is one of the 9 `LINK_LISTS`, one per tree shape):

1. a non-skip node whose value reaches the output n times is a plain leaf when n = 1 and it has no
   non-skip child; otherwise it gets n skip leaves;
2. the skips left over form a chain right after the input (input → skip → … → the rest), where they
   change nothing;
3. siblings are ordered by decreasing subtree size, then by operator (`NBGRAPH_OPS` order, so
   ``skip`` last), then by their own children, recursively;
4. nodes are numbered breadth first.

`NBGraphArch.benchmark_key` is the benchmark's key of that representative (link-list index, then
the four operator indices, as base-10 digits). The tests check, against the package, that this
canonical form splits all 24 × 9⁴ − 24 encodings into exactly the benchmark's classes, and that
the 26,206 canonical architectures (`all_cells`) are exactly its keys. An all-skip encoding has no
output and is refused.

String form: ``links:ops``, e.g. ``0-1-1-2:gcn,gin,cheb,fc``. `parse` accepts any valid encoding
and returns its canonical architecture, whose string is what `format` writes.

Graph view (`to_graph`)
-----------------------
``input``, the four computing nodes in link order (already topological), ``output``; an edge from
each node's link to the node and from every leaf to ``output``. ``skip`` stays an operator node.
Features, all read off the graph: ``depth`` (most non-skip operators on one input→output path),
``parametric_ops`` (non-skip operators) and ``message_passing_ops`` (operators that aggregate over
graph neighbours: neither ``fc`` nor ``skip``). No parameter count: the benchmark's depends on each
dataset's feature and class counts and tuned hidden size.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas.checks import is_integer
from tgnas.spaces.base import SearchSpace, as_rng, check_genes, gene_to_index
from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph

#: operators in the benchmark's order (its hash digits)
NBGRAPH_OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
SKIP = "skip"
#: operators that aggregate over graph neighbours (every one but the node-wise ``fc`` and the identity ``skip``)
MESSAGE_PASSING_OPS = tuple(op for op in NBGRAPH_OPS if op not in ("fc", SKIP))
N_NODES = 4
#: link lists of canonical architectures, one per shape of a 4-node tree below the input, in the benchmark's order
LINK_LISTS = ((0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (0, 0, 1, 2), (0, 0, 1, 3), (0, 1, 1, 1), (0, 1, 1, 2), (0, 1, 2, 2), (0, 1, 2, 3))
#: distinct architectures (the benchmark's table size)
N_ARCHS = 26206
#: base of the benchmark key's digits (one more than the number of operators, as the benchmark counts)
_KEY_BASE = len(NBGRAPH_OPS) + 1
_OP_INDEX = {op: index for index, op in enumerate(NBGRAPH_OPS)}
_EXAMPLE = "0-1-1-2:gcn,gin,cheb,fc"

#: a subtree of the canonical form: (operator, children in canonical order)
_Tree = tuple[str, tuple["_Tree", ...]]


def _accepted_ops() -> str:
    return ", ".join(NBGRAPH_OPS)


def _check_encoding(links: Sequence[int], ops: Sequence[str]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """``links`` and ``ops`` as tuples if they encode an architecture, else a one-line ValueError."""
    try:
        links, ops = tuple(links), tuple(ops)
    except TypeError:
        raise ValueError(
            f"an nbgraph architecture is a sequence of {N_NODES} links and one of {N_NODES} ops, got {links!r} and {ops!r}"
        ) from None
    if len(links) != N_NODES or len(ops) != N_NODES:
        raise ValueError(
            f"an nbgraph architecture has {N_NODES} links and {N_NODES} ops (one per computing node), got {len(links)} and {len(ops)}"
        )
    for node, link in enumerate(links, start=1):
        if not is_integer(link) or not 0 <= link < node:
            raise ValueError(
                f"node {node} of an nbgraph architecture reads 0 (the input) or an earlier node 1..{node - 1}, got link {link!r}"
            )
    for node, op in enumerate(ops, start=1):
        if not isinstance(op, str) or op not in _OP_INDEX:
            raise ValueError(f"unknown nbgraph op {op!r} on node {node}; accepted: {_accepted_ops()}")
    if all(op == SKIP for op in ops):
        raise ValueError("an nbgraph architecture of skips only has no output; give at least one node another op")
    return tuple(int(link) for link in links), ops


def _order_key(tree: _Tree) -> tuple:
    """Sibling order of the canonical form: larger subtrees first, then operator order, then children."""
    op, children = tree
    return (-_size(tree), _OP_INDEX[op], tuple(_order_key(child) for child in children))


def _size(tree: _Tree) -> int:
    return 1 + sum(_size(child) for child in tree[1])


def _node(op: str, children: list[_Tree]) -> _Tree:
    return (op, tuple(sorted(children, key=_order_key)))


@functools.lru_cache(maxsize=24 * 9**4)  # every encoding fits; neighbours, parse and all_cells canonicalise the same ones often
def _canonical(links: tuple[int, ...], ops: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The canonical (links, ops) of a checked encoding (module docstring, steps 1–4)."""

    def carrier(node: int) -> int:  # nearest non-skip node at or above ``node`` (0: the raw input)
        while node and ops[node - 1] == SKIP:
            node = links[node - 1]
        return node

    nodes = range(1, N_NODES + 1)
    leaves = [node for node in nodes if node not in links]
    deliveries = Counter(carrier(leaf) for leaf in leaves)
    deliveries.pop(0, None)  # raw features reaching the output count as absent (the benchmark's equivalence)
    reads = {node: carrier(links[node - 1]) for node in nodes if ops[node - 1] != SKIP}

    def subtree(node: int) -> _Tree:
        children = [subtree(child) for child, parent in reads.items() if parent == node]
        if children or deliveries[node] > 1:
            children += [(SKIP, ())] * deliveries[node]
        return _node(ops[node - 1], children)

    top = [subtree(node) for node, parent in reads.items() if parent == 0]
    for _ in range(N_NODES - sum(_size(tree) for tree in top)):
        top = [_node(SKIP, top)]
    numbered: list[tuple[int, str]] = []
    queue = deque((0, tree) for tree in sorted(top, key=_order_key))
    while queue:
        parent, (op, children) = queue.popleft()
        numbered.append((parent, op))
        queue.extend((len(numbered), child) for child in children)
    return tuple(parent for parent, _ in numbered), tuple(op for _, op in numbered)


@dataclass(frozen=True)
class NBGraphArch:
    """One NAS-Bench-Graph architecture, stored in canonical form.

    ``NBGraphArch(links, ops)`` accepts any valid encoding and keeps its canonical representative
    (module docstring), so two encodings of the same network give equal values.
    """

    links: tuple[int, int, int, int]
    ops: tuple[str, str, str, str]

    def __post_init__(self) -> None:
        links, ops = _canonical(*_check_encoding(self.links, self.ops))
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "ops", ops)

    # -- string form ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> NBGraphArch:
        """``links:ops`` such as ``0-1-1-2:gcn,gin,cheb,fc`` (any valid encoding; surrounding whitespace is ignored)."""
        if not isinstance(text, str):
            raise ValueError(f"an nbgraph architecture string must be a str, got {type(text).__name__}")
        links_text, colon, ops_text = text.strip().partition(":")
        if not colon:
            raise ValueError(f"nbgraph architecture string {text!r} must be LINKS:OPS, e.g. {_EXAMPLE}")
        tokens = [token.strip() for token in links_text.split("-")]
        for token in tokens:
            if not token.isdigit():
                raise ValueError(f"link {token!r} in nbgraph architecture string {text!r} is not a node number; expected e.g. {_EXAMPLE}")
        return cls(tuple(int(token) for token in tokens), tuple(op.strip() for op in ops_text.split(",")))  # type: ignore[arg-type]

    def __str__(self) -> str:
        return "-".join(map(str, self.links)) + ":" + ",".join(self.ops)

    # -- the benchmark's key -------------------------------------------------------------------
    @property
    def benchmark_key(self) -> int:
        """The architecture's key in the NAS-Bench-Graph tables (the package's ``valid_hash``)."""
        key = LINK_LISTS.index(self.links)
        for op in self.ops:
            key = key * _KEY_BASE + _OP_INDEX[op]
        return key

    # -- structure -----------------------------------------------------------------------------
    def leaves(self) -> tuple[int, ...]:
        """Computing nodes (1…4) that feed the output."""
        return tuple(node for node in range(1, N_NODES + 1) if node not in self.links)

    def depth(self) -> int:
        """Most non-skip operators on one input→output path."""
        weight = [0]
        for link, op in zip(self.links, self.ops):
            weight.append(weight[link] + (op != SKIP))
        return max(weight[leaf] for leaf in self.leaves())


@functools.lru_cache(maxsize=N_ARCHS)  # graphs are immutable; scoring the whole space repeatedly is common
def _arch_graph(arch: NBGraphArch) -> ArchGraph:
    output = N_NODES + 1
    matrix = np.zeros((N_NODES + 2, N_NODES + 2), dtype=np.uint8)
    for node, link in enumerate(arch.links, start=1):
        matrix[link, node] = 1
    for leaf in arch.leaves():
        matrix[leaf, output] = 1
    features = {
        "depth": arch.depth(),
        "parametric_ops": sum(op != SKIP for op in arch.ops),
        "message_passing_ops": sum(op in MESSAGE_PASSING_OPS for op in arch.ops),
    }
    return ArchGraph((INPUT, *arch.ops, OUTPUT), matrix, NBGraphSpace.name, features, str(arch))


@functools.cache  # 59,049 encodings to canonicalise once per process
def _all_archs() -> tuple[NBGraphArch, ...]:
    """The canonical architectures in benchmark-key order (an encoding is kept iff it is its own canonical form)."""
    found = []
    for links in LINK_LISTS:
        for ops in itertools.product(NBGRAPH_OPS, repeat=N_NODES):
            if any(op != SKIP for op in ops) and _canonical(links, ops) == (links, ops):
                found.append(NBGraphArch(links, ops))
    return tuple(found)


def _link_genes() -> int:
    return N_NODES - 1  # node 1 can only read the input


class NBGraphSpace(SearchSpace[NBGraphArch]):
    """The 26,206 distinct NAS-Bench-Graph architectures."""

    name = "nbgraph"
    ops = NBGRAPH_OPS
    arch_type = NBGraphArch

    def parse(self, text: str) -> NBGraphArch:
        return NBGraphArch.parse(text)

    def sample(self, rng: int | np.random.Generator | None = None) -> NBGraphArch:
        """Uniform over the encoding (each node's link and op), redrawn while all ops are skip. Not
        uniform over distinct architectures: those with many encodings are drawn more often."""
        generator = as_rng(rng, "rng")
        while True:
            links = [int(generator.integers(node)) for node in range(1, N_NODES + 1)]
            ops = [NBGRAPH_OPS[i] for i in generator.integers(len(NBGRAPH_OPS), size=N_NODES)]
            if any(op != SKIP for op in ops):
                return NBGraphArch(tuple(links), tuple(ops))  # type: ignore[arg-type]

    def neighbours(self, arch: NBGraphArch) -> list[NBGraphArch]:
        """Every other architecture one move away: one node's op or one node's link changed (in the canonical encoding)."""
        arch = self.check_arch(arch)
        seen = {arch}
        result = []
        for position in range(N_NODES):
            moves = [(arch.links, arch.ops[:position] + (op,) + arch.ops[position + 1 :]) for op in NBGRAPH_OPS]
            moves += [(arch.links[:position] + (link,) + arch.links[position + 1 :], arch.ops) for link in range(position + 1)]
            for links, ops in moves:
                if all(op == SKIP for op in ops):
                    continue
                neighbour = NBGraphArch(links, ops)
                if neighbour not in seen:
                    seen.add(neighbour)
                    result.append(neighbour)
        return result

    def to_graph(self, arch: NBGraphArch) -> ArchGraph:
        return _arch_graph(self.check_arch(arch))

    def all_cells(self) -> tuple[NBGraphArch, ...]:
        """The 26,206 canonical architectures in benchmark-key order."""
        return _all_archs()

    def gene_count(self) -> int:
        """The links of nodes 2–4 (node k over its k choices), then the four ops over `NBGRAPH_OPS`."""
        return _link_genes() + N_NODES

    def decode_genes(self, genes: np.ndarray) -> NBGraphArch:
        """Valid by construction: when nodes 1–3 are skip, node 4's op gene ranges over the 8 other ops."""
        values = check_genes(self.name, genes, self.gene_count())
        links = (0, *(int(gene_to_index(values[node - 2], node)) for node in range(2, N_NODES + 1)))
        ops = [NBGRAPH_OPS[int(i)] for i in gene_to_index(values[_link_genes() :], len(NBGRAPH_OPS))]
        if all(op == SKIP for op in ops[:-1]):
            ops[-1] = NBGRAPH_OPS[int(gene_to_index(values[-1], len(NBGRAPH_OPS) - 1))]  # skip is the last op
        return NBGraphArch(links, tuple(ops))  # type: ignore[arg-type]
