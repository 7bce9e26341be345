"""TransNAS-Bench-101 macro networks (Duan et al., CVPR 2021): a chain of 4–6 residual stages.

A network is a sequence of stages, each two residual basic blocks, and a stage's block code says
what it does to the feature map (TransNAS-Bench's ``net_macro.py``):

==== ========================== ==========================================
code node operator              effect
==== ========================== ==========================================
1    ``resblock``               keeps channels and resolution
2    ``resblock_widen``         doubles the channels
3    ``resblock_stride2``       halves the resolution (stride 2)
4    ``resblock_widen_stride2`` doubles the channels and halves the resolution
==== ========================== ==========================================

Valid networks (the benchmark's 3,256): 4–6 stages, of which 1–4 downsample (codes 3, 4) and 1–3
widen (codes 2, 4). `TransNASMacroNet` refuses anything else.

String form (TransNAS-Bench's own arch string): ``64-{codes}-basic``, e.g. ``64-1242-basic`` (``64``
base channels, ``basic`` residual blocks). NASLib's key is a 6-tuple with ``0`` = no stage, and
the zeros only trailing: ``(1, 2, 4, 2, 0, 0)`` (`TransNASMacroNet.from_naslib_tuple`).

`to_graph` is the chain ``input → one node per stage → output``. Its ``features`` are data-free
counts the chain makes obvious: ``depth`` (stages), ``widen_count`` (stages doubling the channels,
so the encoder ends with 64·2^widen_count channels) and ``downsample_count`` (stride-2 stages, so the
encoder output is 2^downsample_count times smaller per side than after the stem). No parameter
count or FLOPs: the benchmark's networks end in one of seven task decoders.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas.checks import is_integer
from tgnas.spaces.base import SearchSpace, as_rng, check_genes, gene_to_index, parse_int_tuple
from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph

#: node operator names of the block codes 1, 2, 3, 4
MACRO_OPS = ("resblock", "resblock_widen", "resblock_stride2", "resblock_widen_stride2")
DEPTHS = (4, 5, 6)
#: how many stages may downsample, and how many may widen (inclusive ranges)
DOWNSAMPLE_COUNTS = (1, 4)
WIDEN_COUNTS = (1, 3)
#: entries of NASLib's padded tuple
NASLIB_LENGTH = max(DEPTHS)
PREFIX, SUFFIX = "64-", "-basic"


def _widens(code: int) -> bool:
    return code in (2, 4)


def _downsamples(code: int) -> bool:
    return code in (3, 4)


def _code_of(widen: bool, downsample: bool) -> int:
    return 1 + int(widen) + 2 * int(downsample)


def _accepted_codes() -> str:
    return ", ".join(f"{code}={name}" for code, name in enumerate(MACRO_OPS, start=1))


def _count_rule(count: int, allowed: tuple[int, int], what: str, codes: str) -> str | None:
    low, high = allowed
    return None if low <= count <= high else f"{count} {what} stages (codes {codes}); accepted: {low} to {high}"


@dataclass(frozen=True)
class TransNASMacroNet:
    """One macro network: the block code (1–4, `MACRO_OPS`) of each of its 4–6 stages."""

    stages: tuple[int, ...]

    def __post_init__(self) -> None:
        stages = tuple(self.stages)
        if len(stages) not in DEPTHS:
            raise ValueError(f"a TransNAS macro network has {DEPTHS[0]} to {DEPTHS[-1]} stages, got {len(stages)}: {list(stages)}")
        for code in stages:
            if not is_integer(code) or not 1 <= code <= len(MACRO_OPS):
                raise ValueError(f"bad TransNAS macro block code {code!r} in {list(stages)}; accepted: {_accepted_codes()}")
        object.__setattr__(self, "stages", tuple(int(code) for code in stages))
        for problem in (
            _count_rule(self.downsample_count, DOWNSAMPLE_COUNTS, "downsampling", "3, 4"),
            _count_rule(self.widen_count, WIDEN_COUNTS, "widening", "2, 4"),
        ):
            if problem:
                raise ValueError(f"TransNAS macro network {''.join(map(str, self.stages))} has {problem}")

    @property
    def ops(self) -> tuple[str, ...]:
        """The node operator of each stage."""
        return tuple(MACRO_OPS[code - 1] for code in self.stages)

    @property
    def depth(self) -> int:
        return len(self.stages)

    @property
    def widen_count(self) -> int:
        return sum(map(_widens, self.stages))

    @property
    def downsample_count(self) -> int:
        return sum(map(_downsamples, self.stages))

    # -- string form ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> TransNASMacroNet:
        """Parse ``64-{codes}-basic`` (surrounding whitespace is ignored)."""
        if not isinstance(text, str):
            raise ValueError(f"a TransNAS macro arch string must be a str, got {type(text).__name__}")
        stripped = text.strip()
        if not (stripped.startswith(PREFIX) and stripped.endswith(SUFFIX)):
            raise ValueError(f"TransNAS macro arch string {text!r} must read {PREFIX}<block codes>{SUFFIX}, e.g. 64-1242-basic")
        digits = stripped[len(PREFIX) : len(stripped) - len(SUFFIX)]
        for digit in digits:
            if digit not in "1234":
                raise ValueError(f"bad TransNAS macro block code {digit!r} in {text!r}; accepted: {_accepted_codes()}")
        return cls(tuple(int(digit) for digit in digits))

    def __str__(self) -> str:
        return f"{PREFIX}{''.join(map(str, self.stages))}{SUFFIX}"

    # -- other encodings -----------------------------------------------------------------------
    @classmethod
    def from_naslib_tuple(cls, codes: Sequence[int] | str) -> TransNASMacroNet:
        """From NASLib's padded key, e.g. ``(1, 2, 4, 2, 0, 0)`` or its string form (``0`` only trailing)."""
        values = parse_int_tuple(codes, "NASLib TransNAS macro tuple")
        if len(values) != NASLIB_LENGTH:
            raise ValueError(f"a NASLib TransNAS macro tuple has {NASLIB_LENGTH} entries, got {len(values)}: {codes!r}")
        depth = next((i for i, code in enumerate(values) if code == 0), NASLIB_LENGTH)
        if any(values[depth:]):
            raise ValueError(f"NASLib TransNAS macro tuple {codes!r} has a stage after a 0 (no stage); zeros may only trail")
        return cls(values[:depth])

    def to_naslib_tuple(self) -> tuple[int, ...]:
        return self.stages + (0,) * (NASLIB_LENGTH - self.depth)

    def has_path(self) -> bool:
        """Always True: a chain of residual stages has no zero operator."""
        return True

    def to_graph(self) -> ArchGraph:
        """The chain ``input → stage nodes → output`` with the module docstring's ``features``."""
        return _net_graph(self.stages)


@functools.lru_cache(maxsize=4096)  # graphs are immutable; benchmarks convert the same networks repeatedly
def _net_graph(stages: tuple[int, ...]) -> ArchGraph:
    net = TransNASMacroNet(stages)
    matrix = np.eye(net.depth + 2, k=1, dtype=np.uint8)
    features = {"depth": net.depth, "widen_count": net.widen_count, "downsample_count": net.downsample_count}
    return ArchGraph((INPUT, *net.ops, OUTPUT), matrix, TransNASMacroSpace.name, features, str(net))


def _stage_sets(depth: int, counts: tuple[int, int]) -> list[tuple[int, ...]]:
    """The sets of stage positions of an allowed size, by size then lexicographically (a gene's options)."""
    low, high = counts
    return [subset for size in range(low, min(high, depth) + 1) for subset in itertools.combinations(range(depth), size)]


@functools.cache
def _all_nets() -> tuple[TransNASMacroNet, ...]:
    nets = []
    for depth in DEPTHS:
        for stages in itertools.product(range(1, len(MACRO_OPS) + 1), repeat=depth):
            try:
                nets.append(TransNASMacroNet(stages))
            except ValueError:  # a stage count outside the rule (module docstring)
                continue
    return tuple(nets)


class TransNASMacroSpace(SearchSpace[TransNASMacroNet]):
    """The 3,256-network TransNAS-Bench-101 macro space."""

    name = "transnas_macro"
    ops = MACRO_OPS
    arch_type = TransNASMacroNet

    def parse(self, text: str) -> TransNASMacroNet:
        return TransNASMacroNet.parse(text)

    def sample(self, rng: int | np.random.Generator | None = None) -> TransNASMacroNet:
        """A network drawn uniformly from the valid ones (`all_cells`)."""
        nets = _all_nets()
        return nets[int(as_rng(rng, "rng").integers(len(nets)))]

    def neighbours(self, arch: TransNASMacroNet) -> list[TransNASMacroNet]:
        """Every valid network whose NASLib tuple differs in one entry: a stage's code changed, the last
        stage dropped (a 0) or a stage appended."""
        padded = self.check_arch(arch).to_naslib_tuple()
        result = []
        for position, current in enumerate(padded):
            for code in range(len(MACRO_OPS) + 1):
                if code != current:
                    try:
                        result.append(TransNASMacroNet.from_naslib_tuple(padded[:position] + (code,) + padded[position + 1 :]))
                    except ValueError:  # a gap, a depth or a stage count outside the rule
                        continue
        return result

    def to_graph(self, arch: TransNASMacroNet) -> ArchGraph:
        return self.check_arch(arch).to_graph()

    def all_cells(self) -> list[TransNASMacroNet]:
        """Every valid network once: by depth, then lexicographically by block codes."""
        return list(_all_nets())

    def gene_count(self) -> int:
        """Three genes: the depth (4, 5, 6), which stages downsample (a set of 1–4 of them) and which
        widen (1–3), each over its options in `_stage_sets` order; a stage doing both gets code 4."""
        return 3

    def decode_genes(self, genes: np.ndarray) -> TransNASMacroNet:
        depth_gene, downsample_gene, widen_gene = check_genes(self.name, genes, self.gene_count())
        depth = DEPTHS[int(gene_to_index(depth_gene, len(DEPTHS)))]
        downsample_sets, widen_sets = _stage_sets(depth, DOWNSAMPLE_COUNTS), _stage_sets(depth, WIDEN_COUNTS)
        downsampling = downsample_sets[int(gene_to_index(downsample_gene, len(downsample_sets)))]
        widening = widen_sets[int(gene_to_index(widen_gene, len(widen_sets)))]
        return TransNASMacroNet(tuple(_code_of(stage in widening, stage in downsampling) for stage in range(depth)))
