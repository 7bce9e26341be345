"""The GCN of the TG predictor (paper §3.3): its layers, the dense graph batches it reads, and its configuration.

`tgnas.tg.predictor.GCNPredictor` puts an embedder in front of it; `tgnas.tg.train` fits it.

Architecture (every part is an argument of `GCNConfig`, so the official 4-layer, un-normalised
variant can be compared):

* node features: the embedding of each node's operator (`tgnas.tg.embed.OperatorEmbedder`);
* ``layers`` dense GCN layers (`DenseGCNLayer`: ``torch_geometric``'s `DenseGCNConv` in plain torch,
  same parameters and initialisation, tested equal; it uses the normalised adjacency
  Â = D^-½(A+I)D^-½ of the paper's equation), each followed by ReLU and, optionally,
  graph normalisation (Cai et al. 2021, the paper's regulariser). **Deviation:** graph norm is off
  by default. It subtracts each graph's mean node feature, which erases how *many* nodes of a kind
  a cell has; on a synthetic rule ("more 3x3 convolutions = better", no benchmark labels involved)
  a sum-readout GCN reaches τ ≈ 0.70 without it and ≈ 0.17 with it (tests/test_predictor.py).
  Dropout and weight decay remain the regularisers. ``direction`` says which adjacency the
  convolution sees: the DAG is directed, and ``undirected`` (A + Aᵀ, the default) lets each node
  hear both its inputs and its consumers;
* ``layer`` swaps the GCN layers for one of the two message passings the paper leaves to future
  work, each tested equal to torch_geometric's dense layer: GIN-0 (``"gin"``, `DenseGINLayer`,
  Xu et al. 2019: an MLP of the *sum* over a node and its neighbours, which keeps the counts a
  normalised mean blurs) or single-head GAT (``"gat"``, `DenseGATLayer`, Veličković et al. 2018:
  learned attention over the neighbours);
* readout over the real (unpadded) nodes: ``sum`` keeps the cell's size visible to the head (a
  sum grows with the number of convolutions), ``mean``/``max`` do not, ``sum+mean`` gives both;
* head: a two-layer MLP to one number. Scores are on the scale of the normalised training labels
  (ranks or z-scores); only their order is meaningful.

Graphs are batched densely: ``x`` (B, N, F), ``adj`` (B, N, N), ``mask`` (B, N), with N the
largest graph of the batch. Identical graphs are encoded once (`encode_graphs` deduplicates), so
scoring all 15,625 NB201 cells runs a few hundred distinct graphs through the network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from tgnas.spaces.graph import ArchGraph
from tgnas.tg.embed import OperatorEmbedder

READOUTS = ("sum", "mean", "max", "sum+mean")
DIRECTIONS = ("undirected", "forward", "backward")
LAYERS = ("gcn", "gin", "gat")


@dataclass(frozen=True)
class GCNConfig:
    """Shape of the GCN; stored in model cards and checkpoints."""

    layers: int = 2
    hidden: int = 128
    readout: str = "sum"
    direction: str = "undirected"
    graph_norm: bool = False
    normalise_adjacency: bool = True
    dropout: float = 0.1
    head_hidden: int = 64
    layer: str = "gcn"  # the message passing: gcn (the paper's), gin or gat

    def __post_init__(self) -> None:
        if self.layers < 1 or self.hidden < 1 or self.head_hidden < 1:
            raise ValueError(f"layers, hidden and head_hidden must be ≥ 1, got {self.layers}, {self.hidden}, {self.head_hidden}")
        if self.layer not in LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}; accepted: {', '.join(LAYERS)}")
        if not self.normalise_adjacency and self.layer != "gcn":
            raise ValueError(f"normalise_adjacency=False is the official variant of the gcn layer; {self.layer} does not normalise")
        if self.readout not in READOUTS:
            raise ValueError(f"unknown readout {self.readout!r}; accepted: {', '.join(READOUTS)}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}; accepted: {', '.join(DIRECTIONS)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


class _Projection(nn.Module):
    """A bias-free linear map whose only parameter is ``weight`` (out, in), like torch_geometric's ``Linear``."""

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_dim, in_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight)


class DenseGCNLayer(nn.Module):
    """One dense GCN layer, ``Â X W + b``: torch_geometric's `DenseGCNConv` without importing torch_geometric.

    Parameters are named as there (``lin.weight``, ``bias``), so its state dicts load unchanged,
    and initialised as there: Glorot-uniform weights drawn *twice* (its ``Linear`` and then the
    layer both reset them) and a zero bias, so a seed gives the same network as before.
    """

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.lin = _Projection(in_dim, out_dim)
        self.bias = nn.Parameter(torch.empty(out_dim))
        bound = math.sqrt(6.0 / (in_dim + out_dim))
        with torch.no_grad():
            for _ in range(2):
                self.lin.weight.uniform_(-bound, bound)
            self.bias.zero_()

    def forward(self, x: torch.Tensor, adj: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``Â lin(x) + bias`` with padding nodes zeroed, exactly `DenseGCNConv`'s ``forward(x, adj, mask)``.

        `GCNRegressor` applies ``lin`` and ``bias`` itself (it shares Â between layers and projects
        the operator table, not every node).
        """
        return self.combine(self.lin(x), normalised_adjacency(adj)) * mask.unsqueeze(-1).to(x.dtype)

    def combine(self, projected: torch.Tensor, propagate: torch.Tensor) -> torch.Tensor:
        """The layer on node features already passed through ``lin``, with Â given (`GCNRegressor.propagation`)."""
        return propagate @ projected + self.bias


def _glorot(weight: torch.Tensor) -> None:
    bound = math.sqrt(6.0 / (weight.shape[-1] + weight.shape[-2]))
    with torch.no_grad():
        weight.uniform_(-bound, bound)


class DenseGINLayer(nn.Module):
    """GIN-0, ``MLP((A + I) X)`` with the MLP Linear–ReLU–Linear: torch_geometric's `DenseGINConv` with
    ``eps=0`` around that MLP, in plain torch.

    The first linear map is ``lin`` + ``bias`` (applied before the sum, which is the same by linearity),
    so the operator table can be projected once as for the other layers.
    """

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.lin = _Projection(in_dim, out_dim)
        self.bias = nn.Parameter(torch.zeros(out_dim))
        self.lin2 = nn.Linear(out_dim, out_dim)
        _glorot(self.lin.weight)

    def forward(self, x: torch.Tensor, adj: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``DenseGINConv(MLP, eps=0)(x, adj, mask)``."""
        return self.combine(self.lin(x), with_self_loops(adj)) * mask.unsqueeze(-1).to(x.dtype)

    def combine(self, projected: torch.Tensor, propagate: torch.Tensor) -> torch.Tensor:
        """The layer on ``lin``-projected features; ``propagate`` is A + I."""
        return self.lin2(torch.relu(propagate @ projected + self.bias))


class DenseGATLayer(nn.Module):
    """Single-head GAT: node i averages its neighbours' ``lin`` features (itself included) with weights
    softmax_j LeakyReLU(a_dst·Wx_i + a_src·Wx_j); torch_geometric's `DenseGATConv` (heads=1) in plain torch."""

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.lin = _Projection(in_dim, out_dim)
        self.att_src = nn.Parameter(torch.empty(1, out_dim))
        self.att_dst = nn.Parameter(torch.empty(1, out_dim))
        self.bias = nn.Parameter(torch.zeros(out_dim))
        for weight in (self.lin.weight, self.att_src, self.att_dst):
            _glorot(weight)

    def forward(self, x: torch.Tensor, adj: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``DenseGATConv(heads=1)(x, adj, mask)``."""
        return self.combine(self.lin(x), with_self_loops(adj)) * mask.unsqueeze(-1).to(x.dtype)

    def combine(self, projected: torch.Tensor, propagate: torch.Tensor) -> torch.Tensor:
        """The layer on ``lin``-projected features; ``propagate`` is A + I (which neighbours a node attends to)."""
        source = (projected * self.att_src).sum(dim=-1)
        target = (projected * self.att_dst).sum(dim=-1)
        logits = nn.functional.leaky_relu(source.unsqueeze(1) + target.unsqueeze(2), 0.2)
        # every node has its self loop, so no row is all -inf (padding rows included)
        weights = logits.masked_fill(propagate == 0, float("-inf")).softmax(dim=2)
        return weights @ projected + self.bias


_LAYER_TYPES = {"gcn": DenseGCNLayer, "gin": DenseGINLayer, "gat": DenseGATLayer}


def _graph_norm(channels: int) -> nn.Module:
    # torch_geometric only where its GraphNorm is asked for (off by default); it takes seconds to import
    from torch_geometric.nn import GraphNorm

    return GraphNorm(channels)


class GCNRegressor(nn.Module):
    """Dense GCN (or GIN, GAT) layers + graph norm + readout + MLP head; ``forward(x, adj, mask) -> (B,)``."""

    def __init__(self, in_dim: int, config: GCNConfig) -> None:
        super().__init__()
        self.config = config
        self.in_dim = in_dim
        dims = [in_dim] + [config.hidden] * config.layers
        self.convs = nn.ModuleList(_LAYER_TYPES[config.layer](a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.norms = nn.ModuleList(_graph_norm(config.hidden) if config.graph_norm else nn.Identity() for _ in range(config.layers))
        readout_dim = config.hidden * (2 if config.readout == "sum+mean" else 1)
        self.head = nn.Sequential(
            nn.Linear(readout_dim, config.head_hidden), nn.ReLU(), nn.Dropout(config.dropout), nn.Linear(config.head_hidden, 1)
        )

    def _adjacency(self, adj: torch.Tensor) -> torch.Tensor:
        if self.config.direction == "undirected":
            return adj + adj.transpose(1, 2)
        if self.config.direction == "forward":  # row j gathers from its predecessors i (adj[i, j] = 1)
            return adj.transpose(1, 2)
        return adj

    def propagation(self, adj: torch.Tensor) -> torch.Tensor:
        """The matrix each layer aggregates with, for the configured direction: Â for gcn (plain A for the
        official variant), A + I for gin and gat."""
        a = self._adjacency(adj)
        if self.config.layer != "gcn":
            return with_self_loops(a)
        return normalised_adjacency(a) if self.config.normalise_adjacency else a

    def forward(
        self, table: torch.Tensor, ops: torch.Tensor, adj: torch.Tensor, mask: torch.Tensor, propagate: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Scores ``(B,)`` of graphs whose node ``i`` has features ``table[ops[:, i]]``.

        Node features are embeddings of a handful of operators, so the first layer's linear map
        is applied to the operator table (V rows) instead of every node (B·N rows), and Â is
        computed once for all layers (``propagate``: pass `propagation` to share it between
        ensemble members); the result equals stacking the layers' own ``forward`` (tested).
        """
        propagate = self.propagation(adj) if propagate is None else propagate
        node_mask = mask.unsqueeze(-1).to(table.dtype)
        if self.config.graph_norm:
            batch = torch.arange(ops.shape[0], device=ops.device).repeat_interleave(mask.sum(dim=1))
        h = None
        for layer, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            projected = _rows(conv.lin(table), ops) if layer == 0 else conv.lin(h)
            h = conv.combine(projected, propagate) * node_mask
            if self.config.graph_norm:
                flat = norm(h[mask], batch)
                h = torch.zeros_like(h).masked_scatter(mask.unsqueeze(-1), flat)
            h = torch.relu(h) * node_mask
            h = nn.functional.dropout(h, self.config.dropout, self.training)
        total = h.sum(dim=1)
        count = mask.sum(dim=1, keepdim=True).clamp(min=1)
        if self.config.readout == "sum":
            pooled = total
        elif self.config.readout == "mean":
            pooled = total / count
        elif self.config.readout == "max":
            pooled = h.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
        else:
            pooled = torch.cat([total, total / count], dim=1)
        return self.head(pooled).squeeze(-1)


def _rows(table: torch.Tensor, ops: torch.Tensor) -> torch.Tensor:
    """``table[ops]`` for a ``(B, N)`` index, by `torch.index_select`: the backward of plain indexing
    accumulates with a multi-threaded CPU kernel whose sums come out in a different order each run, so
    the same seed trained different weights; index_select's backward adds in a fixed order."""
    return table.index_select(0, ops.reshape(-1)).reshape(*ops.shape, table.shape[-1])


def with_self_loops(adj: torch.Tensor) -> torch.Tensor:
    """``adj`` with every diagonal entry 1 (padding nodes included), as torch_geometric's dense layers add them."""
    n = adj.shape[-1]
    with_loops = adj.clone()
    diagonal = torch.arange(n, device=adj.device)
    with_loops[:, diagonal, diagonal] = 1
    return with_loops


def normalised_adjacency(adj: torch.Tensor) -> torch.Tensor:
    """Â = D^-½(A+I)D^-½ per graph of a ``(B, N, N)`` batch, exactly as `DenseGCNConv` forms it."""
    with_loops = with_self_loops(adj)
    scale = with_loops.sum(dim=-1).clamp(min=1).pow(-0.5)
    return scale.unsqueeze(-1) * with_loops * scale.unsqueeze(-2)


@dataclass
class GraphBatch:
    """Distinct graphs as dense tensors, plus, per requested graph, the row it maps to.

    ``ops[b, i]`` indexes the operator table ``table`` (one embedding per distinct operator);
    padding nodes point at row 0 and are switched off by ``mask``.
    """

    table: torch.Tensor
    ops: torch.Tensor
    adj: torch.Tensor
    mask: torch.Tensor
    index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.ops.shape[0])

    def rows(self, rows: torch.Tensor | np.ndarray) -> GraphBatch:
        rows = torch.as_tensor(rows, dtype=torch.long)
        return GraphBatch(self.table, self.ops[rows], self.adj[rows], self.mask[rows])


def encode_graphs(graphs: Sequence[ArchGraph], embedder: OperatorEmbedder) -> GraphBatch:
    """Embed and pad graphs into a `GraphBatch`; identical graphs share one row."""
    keys: dict[tuple, int] = {}
    index = np.empty(len(graphs), dtype=np.int64)
    distinct: list[ArchGraph] = []
    for position, graph in enumerate(graphs):
        if not isinstance(graph, ArchGraph):
            raise TypeError(f"graph {position} is a {type(graph).__name__}, not an ArchGraph")
        key = (graph.ops, graph.adjacency.tobytes())
        if key not in keys:
            keys[key] = len(distinct)
            distinct.append(graph)
        index[position] = keys[key]
    vocabulary = sorted({op for graph in distinct for op in graph.ops})
    position = {op: i for i, op in enumerate(vocabulary)}
    table = embedder.embed(vocabulary) if vocabulary else np.zeros((1, embedder.dim), dtype=np.float32)
    size = max((len(graph.ops) for graph in distinct), default=1)
    ops = np.zeros((len(distinct), size), dtype=np.int64)
    adj = np.zeros((len(distinct), size, size), dtype=np.float32)
    mask = np.zeros((len(distinct), size), dtype=bool)
    for row, graph in enumerate(distinct):
        n = len(graph.ops)
        ops[row, :n] = [position[op] for op in graph.ops]
        adj[row, :n, :n] = graph.adjacency
        mask[row, :n] = True
    return GraphBatch(torch.from_numpy(table), torch.from_numpy(ops), torch.from_numpy(adj), torch.from_numpy(mask), index)
