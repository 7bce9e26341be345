"""The interface every search space implements (one object per space, made by `tgnas.spaces.create`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from tgnas.checks import is_int_at_least, is_integer
from tgnas.spaces.graph import ArchGraph

if TYPE_CHECKING:  # annotations only: the supernet module imports this one
    from tgnas.spaces.supernet import Supernet

Arch = TypeVar("Arch")


def parse_int_tuple(values: Sequence[int] | str, what: str) -> tuple[int, ...]:
    """Integers from a sequence or its text form ``"(2, 2, 0)"``; ``what`` names the encoding in errors."""
    if isinstance(values, str):
        tokens = [token.strip() for token in values.strip().strip("()[]").split(",")]
        for token in tokens:
            if not token.lstrip("-").isdigit():
                raise ValueError(f"token {token!r} in {what} {values!r} is not an integer")
        return tuple(int(token) for token in tokens)
    try:
        items = list(values)
    except TypeError:
        raise ValueError(f"{what} must be a sequence of integers, got {values!r}") from None
    for value in items:
        if not is_integer(value):
            raise ValueError(f"entry {value!r} of {what} is not an integer")
    return tuple(int(value) for value in items)


def gene_to_index(genes: np.ndarray | float, options: int) -> np.ndarray:
    """Map genes in [0, 1] evenly onto ``0 .. options-1``: option ``min(floor(g·K), K−1)`` owns [k/K, (k+1)/K)."""
    return np.minimum((np.asarray(genes) * options).astype(np.int64), options - 1)


def check_genes(space: str, genes: np.ndarray, count: int) -> np.ndarray:
    """``genes`` as float64 if it is ``count`` genes in [0, 1], else a ValueError naming the space."""
    values = np.asarray(genes, dtype=np.float64)
    if values.shape != (count,) or not ((values >= 0) & (values <= 1)).all():
        raise ValueError(f"a {space} individual is {count} genes in [0, 1], got {values.tolist()}")
    return values


class Unsupported(ValueError):
    """A space lacks a capability a caller needs (``space.name``, and which one)."""

    def __init__(self, space: str, capability: str) -> None:
        super().__init__(f"the {space} space does not provide {capability}")
        self.space = space
        self.capability = capability


def as_rng(seed_or_rng: int | np.random.Generator | None, name: str = "seed") -> np.random.Generator:
    """Accept a seed or a Generator so that every random call is reproducible from one seed.

    ``name``: the caller's argument, named when the value is neither (numpy would take a float or a
    negative seed with its own message, or a string as entropy-free nonsense).
    """
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    if seed_or_rng is not None and not is_int_at_least(seed_or_rng, 0):
        raise ValueError(f"{name} must be a non-negative integer seed, a numpy Generator or None, got {seed_or_rng!r}")
    return np.random.default_rng(seed_or_rng)


class SearchSpace(ABC, Generic[Arch]):
    """A cell search space: parse/format, random sampling, local moves, and the graph view.

    Architectures are immutable, hashable values of a space-specific type; ``str(arch)`` is the
    space's canonical string and ``parse(str(arch)) == arch``.
    """

    name: str
    #: candidate operators of the space (what a cell chooses from, without input/output)
    ops: tuple[str, ...]
    #: default (population, generations) of evolutionary search on this space; None: the search's own default
    evolution_budget: tuple[int, int] | None = None
    #: the type of a parsed architecture (what `parse` returns and `check_arch` accepts)
    arch_type: type

    def check_arch(self, arch: object) -> Arch:
        """``arch`` if it is a parsed architecture of this space; otherwise a ValueError (a string: parse it first)."""
        if isinstance(arch, self.arch_type):
            return arch
        wanted = f"a parsed {self.name} architecture ({self.arch_type.__name__})"
        if isinstance(arch, str):
            raise ValueError(f"expected {wanted}, got a string; call space.parse(text) first")
        raise ValueError(f"expected {wanted}, got {type(arch).__name__}")

    @abstractmethod
    def parse(self, text: str) -> Arch:
        """Canonical string → architecture; malformed text raises ValueError naming the bad token."""

    def format(self, arch: Arch) -> str:
        return str(arch)

    @abstractmethod
    def sample(self, rng: int | np.random.Generator | None = None) -> Arch:
        """One architecture drawn uniformly over the space's encoding (valid by construction)."""

    @abstractmethod
    def neighbours(self, arch: Arch) -> list[Arch]:
        """Every valid architecture one local move away (one operator or one edge changed)."""

    def mutate(self, arch: Arch, rng: int | np.random.Generator | None = None) -> Arch:
        """A uniformly chosen neighbour (always different from ``arch``)."""
        options = self.neighbours(arch)
        if not options:
            raise ValueError(f"{self.name}: architecture {arch} has no valid neighbour")
        return options[int(as_rng(rng, "rng").integers(len(options)))]

    @abstractmethod
    def to_graph(self, arch: Arch) -> ArchGraph:
        """The operator-on-node DAG used by the predictor (see each space for its conversion rule)."""

    # -- optional capabilities: a space that lacks one raises `Unsupported`, naming it ----------
    # The searches, scorers and evaluation reach everything space-specific through these, so they
    # never branch on a space's name. Adding a space is one module plus one registry line.

    def gene_count(self) -> int:
        """Number of genes in [0, 1] that `decode_genes` turns into one architecture (evolution)."""
        raise Unsupported(self.name, "gene encoding (evolutionary search)")

    def decode_genes(self, genes: np.ndarray) -> Arch:
        """The architecture of a gene vector of length `gene_count`, valid by construction."""
        raise Unsupported(self.name, "gene encoding (evolutionary search)")

    def supernet(self, arch: Arch | None = None) -> Supernet:
        """The full supernet (every candidate operator on every edge), or the single-op supernet of ``arch``
        (pruning search; `tgnas.spaces.supernet`)."""
        raise Unsupported(self.name, "a supernet (pruning search)")

    def all_cells(self) -> Sequence[Arch]:
        """Every architecture of the space, for spaces small enough to enumerate."""
        raise Unsupported(self.name, "enumeration (exhaustive search)")

    def params(self, arch: Arch) -> float:
        """Analytic parameter count (millions) of the space's evaluation network of ``arch``."""
        raise Unsupported(self.name, "analytic parameter count")

    def flops(self, arch: Arch) -> float:
        """Analytic FLOPs (millions) of the space's evaluation network of ``arch``."""
        raise Unsupported(self.name, "analytic FLOPs")

    def build_network(self, arch: Arch, num_classes: int = 10):
        """The torch module of ``arch`` that zero-cost proxies score (imports torch)."""
        raise Unsupported(self.name, "a torch network (zero-cost proxies)")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.ops)} ops>"
