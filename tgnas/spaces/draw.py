"""Matplotlib drawings of cells: any `ArchGraph` (operators on nodes) and NB201's edge form."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np

from tgnas.spaces.graph import ArchGraph
from tgnas.spaces.nb201 import EDGES, NB201Cell

_FAMILY_COLOURS = {
    "input": "#9ecae1",
    "output": "#9ecae1",
    "conv": "#fdae6b",
    "pool": "#a1d99b",
    "skip": "#dadaeb",
    "none": "#f0f0f0",
}


def op_colour(op: str) -> str:
    """Colour by operator family, so that drawings of different spaces read alike."""
    name = op.lower()
    if name in ("input", "output", "none"):
        return _FAMILY_COLOURS[name]
    if "conv" in name:
        return _FAMILY_COLOURS["conv"]
    if "pool" in name:
        return _FAMILY_COLOURS["pool"]
    if "skip" in name or "identity" in name:
        return _FAMILY_COLOURS["skip"]
    return "#ffffff"


def wrap_op_name(op: str, width: int = 8) -> str:
    """Break a long operator name after '-' or '_' so that node boxes stay narrow."""
    lines, current = [], ""
    for piece in re.split(r"(?<=[-_])", op):
        if current and len(current) + len(piece) > width:
            lines.append(current)
            current = ""
        current += piece
    lines.append(current)
    return "\n".join(lines)


def _layers(graph: ArchGraph) -> np.ndarray:
    """Longest-path depth of every node (inputs at 0, output in the last layer)."""
    depth = np.zeros(graph.n_nodes, dtype=int)
    for j in range(graph.n_nodes):
        parents = np.flatnonzero(graph.adjacency[:, j])
        if len(parents):
            depth[j] = depth[parents].max() + 1
    depth[-1] = depth.max()
    return depth


def draw_graph(graph: ArchGraph, ax=None, title: str | None = None, fontsize: int = 7):
    """Draw a cell left to right in layers of equal depth; returns the axes."""
    ax = ax or plt.gca()
    depth = _layers(graph)
    positions = {}
    for layer in np.unique(depth):
        members = np.flatnonzero(depth == layer)
        for rank, node in enumerate(members):
            positions[int(node)] = (float(layer), (len(members) - 1) / 2 - rank)
    for i, j in graph.edges():
        (x0, y0), (x1, y1) = positions[i], positions[j]
        ax.annotate(
            "", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkA": 14, "shrinkB": 14, "lw": 0.8}
        )
    for node, (x, y) in positions.items():
        op = graph.ops[node]
        ax.text(
            x,
            y,
            wrap_op_name(op),
            ha="center",
            va="center",
            fontsize=fontsize,
            bbox={"boxstyle": "round,pad=0.3", "fc": op_colour(op), "ec": "#333333", "lw": 0.6},
        )
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2)
    return ax


def draw_nb201_cell(cell: NB201Cell, ax=None, title: str | None = None, fontsize: int = 7):
    """NB201's own picture: feature nodes 0..3 on a line, operators written on the 6 edges."""
    ax = ax or plt.gca()
    # arc3 curvature per edge: chained edges are straight, skipping edges arc above (0→2, 0→3) or
    # below (1→3) so that no two labels meet
    curvature = {(0, 1): 0.0, (1, 2): 0.0, (2, 3): 0.0, (0, 2): -0.5, (1, 3): 0.5, (0, 3): -0.6}
    for (source, target), op in zip(EDGES, cell.ops):
        rad = curvature[(source, target)]
        dx = float(target - source)
        style = {
            "arrowstyle": "->",
            "lw": 0.9,
            "color": "#bbbbbb" if op == "none" else "#333333",
            "linestyle": ":" if op == "none" else "-",
            "shrinkA": 9,
            "shrinkB": 9,
            "connectionstyle": f"arc3,rad={rad}",
        }
        ax.annotate("", xy=(target, 0.0), xytext=(source, 0.0), arrowprops=style)
        # the midpoint of matplotlib's arc3 Bezier lies rad * dx / 2 off the chord
        label_y = -rad * dx / 2 + (0.08 if rad == 0 else 0.0)
        ax.text(
            (source + target) / 2,
            label_y,
            op,
            fontsize=fontsize - 1,
            ha="center",
            va="center",
            color="#888888" if op == "none" else "#000000",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    for node in range(4):
        ax.text(
            node,
            0.0,
            str(node),
            ha="center",
            va="center",
            fontsize=fontsize + 1,
            bbox={"boxstyle": "circle", "fc": "#deebf7", "ec": "#333333"},
        )
    ax.set_xlim(-0.4, 3.4)
    ax.set_ylim(-1.0, 1.2)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2)
    return ax
