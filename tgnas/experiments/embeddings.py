"""Chapter 01: operator embeddings. Table 1 (the descriptions), the cosine similarity and PCA pictures
of the embedded operators, and Table 2 (embedding model × sentence length, zero-shot on NB201)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas.book.parameters import POSITIVE_INT, SEEDS, ChapterParameters, Parameter
from tgnas.experiments.predictor import GridPoint, Target, train_score_grid
from tgnas.spaces import darts, nb101, nb201
from tgnas.tg import LabelledGraphs
from tgnas.tg.describe import LENGTHS, describe
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.predictor import GCNPredictor

#: the parameters of chapter 01 (notebooks/01_operator_embeddings.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("epochs", POSITIVE_INT, ci=25, paper=100),
    Parameter("nb301_n", POSITIVE_INT, ci=500, paper=3_000),
    Parameter("seeds", SEEDS, ci=[0], paper=[0, 1, 2]),
)

#: the operators shown, by space; the invented ones belong to no space
SPACE_OPS = {
    "NB101": list(nb101.NB101_OPS),
    "NB201": list(nb201.NB201_OPS),
    "DARTS": list(darts.DARTS_OPS),
    "invented": ["conv7x7", "dil_conv_7x7", "mbconv_e6_k5", "sep_conv_9x9"],
}
#: operator pairs whose cosine similarity the chapter prints
SIMILARITY_CHECKS = (
    ("conv3x3-bn-relu", "conv7x7"),
    ("conv3x3-bn-relu", "maxpool3x3"),
    ("sep_conv_3x3", "sep_conv_9x9"),
    ("sep_conv_3x3", "avg_pool_3x3"),
    ("dil_conv_5x5", "dil_conv_7x7"),
    ("skip_connect", "none"),
)
#: Table 2's embedding variants: name → PCA components (None: the full 384-d embedding)
EMBEDDING_VARIANTS = {"all-MiniLM-L6-v2": None, "all-MiniLM-L6-v2-64": 64}
SPACE_COLOURS = {"NB101": "tab:blue", "NB201": "tab:orange", "DARTS": "tab:green", "invented": "tab:red"}


def table1_descriptions(space_ops: Mapping[str, Sequence[str]] = SPACE_OPS) -> pd.DataFrame:
    """Table 1: every operator's short, medium and long description."""
    return pd.DataFrame(
        [
            {"space": space, "operator": op, **{length: describe(op, length) for length in LENGTHS}}
            for space, ops in space_ops.items()
            for op in ops
        ]
    )


@dataclass
class OperatorSimilarity:
    """Embeddings of distinct operator names (in first-seen order) and their cosine similarities."""

    names: list[str]
    vectors: np.ndarray
    similarity: np.ndarray
    seconds: float

    def cosine(self, a: str, b: str) -> float:
        return float(self.similarity[self.names.index(a), self.names.index(b)])


def operator_similarity(embedder: OperatorEmbedder, space_ops: Mapping[str, Sequence[str]] = SPACE_OPS) -> OperatorSimilarity:
    """Embed every operator once (timed) and compute the cosine similarity of every pair."""
    names = list(dict.fromkeys(op for ops in space_ops.values() for op in ops))
    started = time.perf_counter()
    vectors = embedder.embed(names)
    seconds = time.perf_counter() - started
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return OperatorSimilarity(names, vectors, unit @ unit.T, seconds)


def plot_operator_similarity(similarity: OperatorSimilarity) -> plt.Figure:
    """Heatmap of the cosine similarities (short descriptions)."""
    names = similarity.names
    fig, ax = plt.subplots(figsize=(9, 8))
    image = ax.imshow(similarity.similarity, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    fig.colorbar(image, ax=ax, label="cosine similarity (short descriptions)")
    ax.set_title("Operator embeddings, all-MiniLM-L6-v2, short sentences")
    fig.tight_layout()
    return fig


def table_similarity_checks(similarity: OperatorSimilarity, pairs: Sequence[tuple[str, str]] = SIMILARITY_CHECKS) -> pd.DataFrame:
    """The cosine similarity of chosen operator pairs."""
    return pd.DataFrame([{"a": a, "b": b, "cosine": round(similarity.cosine(a, b), 3)} for a, b in pairs])


def plot_operator_pca(similarity: OperatorSimilarity, pca, space_ops: Mapping[str, Sequence[str]] = SPACE_OPS) -> plt.Figure:
    """The operators on the first two principal components of ``pca``, coloured by space."""
    points = pca.transform(similarity.vectors)[:, :2]
    fig, ax = plt.subplots(figsize=(8, 6))
    for space, ops in space_ops.items():
        rows_of_space = [similarity.names.index(op) for op in ops]
        ax.scatter(points[rows_of_space, 0], points[rows_of_space, 1], c=SPACE_COLOURS[space], label=space, s=40)
    for name, (x, y) in zip(similarity.names, points):
        ax.annotate(name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.legend()
    ax.set_title("Operator embeddings projected on the first two principal components")
    return fig


def source_sizes(sources: Sequence[LabelledGraphs]) -> dict[str, int]:
    """Labelled cells per training source."""
    return {source.name: len(source) for source in sources}


def _variant_predictors(length: str, components: int | None) -> Callable[[int], GCNPredictor]:
    """Seed → untrained predictor over one embedding variant (the embedder is shared by the seeds)."""
    embedder = OperatorEmbedder(length=length)
    embedder = embedder.with_pca(components) if components else embedder
    return lambda seed: GCNPredictor(embedder, seed=seed)


def table2_runs(sources: Sequence[LabelledGraphs], target: Target, seeds: Sequence[int], epochs: int) -> pd.DataFrame:
    """Table 2's runs: a predictor per embedding variant × sentence length × seed, scored zero-shot on ``target``."""
    points = [
        GridPoint({"model": variant, "length": length}, sources, target, _variant_predictors(length, components))
        for variant, components in EMBEDDING_VARIANTS.items()
        for length in LENGTHS
    ]
    return train_score_grid(points, seeds, epochs).frame


def table2_embedding_variants(runs: pd.DataFrame) -> pd.DataFrame:
    """Table 2: mean τ (± std over seeds) and ρ per embedding variant and sentence length."""
    return (
        runs.groupby(["model", "length"], sort=False)
        .agg(
            kendall_tau=("kendall_tau", "mean"),
            tau_std=("kendall_tau", "std"),
            spearman_rho=("spearman_rho", "mean"),
            n=("n", "first"),
            seeds=("seed", "count"),
        )
        .round(3)
    )


def plot_table2(runs: pd.DataFrame, params_tau: float = 0.578) -> plt.Figure:
    """Table 2 as bars: mean τ per sentence length and variant, the params baseline as a line."""
    fig, ax = plt.subplots(figsize=(7, 4))
    pivot = runs.groupby(["length", "model"], sort=False)["kendall_tau"].mean().unstack()
    pivot.loc[list(LENGTHS)].plot.bar(ax=ax, rot=0)
    ax.axhline(params_tau, color="grey", linestyle="--", label=f"params baseline (τ {params_tau})")
    ax.set_ylabel("Kendall τ on 15,625 NB201 cells (CIFAR-10)")
    ax.set_title(f"Table 2 regenerated ({runs['seed'].nunique()} seed(s) per bar)")
    ax.legend(fontsize=8)
    return fig
