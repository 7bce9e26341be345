"""The interface every search space implements (one object per space, made by `tgnas.spaces.create`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Sequence, TypeVar

import numpy as np

from tgnas.spaces.graph import ArchGraph

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
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"entry {value!r} of {what} is not an integer")
    return tuple(int(value) for value in items)


def as_rng(seed_or_rng: int | np.random.Generator | None) -> np.random.Generator:
    """Accept a seed or a Generator so that every random call is reproducible from one seed."""
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    return np.random.default_rng(seed_or_rng)


class SearchSpace(ABC, Generic[Arch]):
    """A cell search space: parse/format, random sampling, local moves, and the graph view.

    Architectures are immutable, hashable values of a space-specific type; ``str(arch)`` is the
    space's canonical string and ``parse(str(arch)) == arch``.
    """

    name: str
    #: candidate operators of the space (what a cell chooses from, without input/output)
    ops: tuple[str, ...]

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
        return options[int(as_rng(rng).integers(len(options)))]

    @abstractmethod
    def to_graph(self, arch: Arch) -> ArchGraph:
        """The operator-on-node DAG used by the predictor (see each space for its conversion rule)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.ops)} ops>"
