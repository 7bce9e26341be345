"""The NB301 surrogate is the one consumer of DARTS genotypes that refuses a node reading one input twice."""

from __future__ import annotations

import pytest

from tgnas.data.nb301 import NB301Surrogate, column_names
from tgnas.spaces.darts import DARTS_V2, SAMPLED_OPS, DartsGenotype, parse

PREFIX = "NetworkSelectorDatasetInfo_COLON_darts_COLON_"


def _encoding() -> dict[str, dict[str, int]]:
    """A made-up encoding with the surrogate's keys (no data files needed)."""
    encoding = {}
    for name in column_names():
        node = None if name.startswith("edge_") else int(name[-1])
        values = list(SAMPLED_OPS) if node is None else [f"{a}_{b}" for a in range(node) for b in range(a + 1, node)]
        encoding[PREFIX + name] = {"#na#": 0, **{value: code for code, value in enumerate(values, start=1)}}
    return encoding


def test_a_repeated_input_parses_but_the_surrogate_refuses_it_naming_cell_and_node():
    repeated = DartsGenotype(DARTS_V2.normal, (*DARTS_V2.reduce[:4], ("skip_connect", 2), ("max_pool_3x3", 2), *DARTS_V2.reduce[6:]))
    assert parse(str(repeated)) == repeated  # accepted everywhere else
    surrogate = NB301Surrogate(None, _encoding())
    assert surrogate.encode(DARTS_V2).shape == (1, 34)
    with pytest.raises(ValueError, match=r"^reduce-cell node 4 reads input 2 twice; the NB301 surrogate's encoding cannot represent"):
        surrogate.encode([DARTS_V2, repeated])
