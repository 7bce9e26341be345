"""The Python API refuses bad input with one ValueError line naming the argument and what it accepts.

Each case is a call a new user might make by mistake; numpy, torch, pathlib or attribute errors
must never reach them, nor a silently wrong result (a string scored character by character).
"""

from __future__ import annotations

import numpy as np
import pytest

from tgnas import TGProxy, spaces
from tgnas.checks import check_int, check_seed, differences
from tgnas.cli_options import integer
from tgnas.scoring import ParamsScorer
from tgnas.search import query_search, search
from tgnas.search.baselines import AgingSettings
from tgnas.search.evolution import EvolutionSettings
from tgnas.search.oracle import check_budget
from tgnas.spaces.darts import DARTS_V2

NB201_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
NB101_CELL = "0110/0001/0001/0000|input,conv3x3-bn-relu,maxpool3x3,output"


@pytest.fixture(scope="module")
def proxy():
    return TGProxy.load("nb201")


def _one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


# -- the TG proxy ----------------------------------------------------------------------------------
PROXY_CALLS = [
    ("score", NB201_CELL, "archs must be a sequence of architecture strings, got a single str; wrap it in a list"),
    ("score", NB201_CELL.encode(), "archs must be a sequence of architecture strings, got a single bytes; wrap it in a list"),
    ("score", None, r"archs must be a sequence of architecture strings \(or parsed cells or ArchGraphs\), got NoneType"),
    ("score", 7, r"archs must be a sequence .*, got int"),
    ("score", [1, 2], r"architecture 0 \(1\) is not a nb201 architecture: expected a parsed nb201 architecture \(NB201Cell\), got int"),
    ("score", [NB201_CELL, None], r"architecture 1 \(None\) is not a nb201 architecture: .*got NoneType"),
    ("score_graphs", None, r"graphs must be a sequence of ArchGraphs \(space.to_graph\(arch\)\), got NoneType"),
    ("score_graphs", [NB201_CELL], r"graph 0 is a str, not an ArchGraph \(make one with space.to_graph\(arch\)\)"),
    ("score_graphs", NB201_CELL, r"graphs must be a sequence of ArchGraphs .*, got a single str"),
]


@pytest.mark.parametrize(("method", "argument", "message"), PROXY_CALLS)
def test_the_proxy_names_a_bad_argument(proxy, method, argument, message):
    with pytest.raises(ValueError, match=message) as error:
        getattr(proxy, method)(argument)
    _one_line(error)


@pytest.mark.parametrize("argument, message", [(None, "got NoneType"), (NB201_CELL, "got a single str"), ([3], "graph 0 is a int")])
def test_a_single_predictor_checks_its_graphs_too(proxy, argument, message):
    with pytest.raises(ValueError, match=message):
        proxy.members[0].score_graphs(argument)


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        (None, r"name_or_path must be a shipped proxy name \(nb201, darts\) or the path of a .pt weights file, got NoneType"),
        (3, r"name_or_path must be .*, got int"),
        ("", r"name_or_path must be .*, got str"),
    ],
)
def test_load_names_a_bad_name_or_path(argument, message):
    with pytest.raises(ValueError, match=message) as error:
        TGProxy.load(argument)
    _one_line(error)


def test_load_refuses_a_verify_that_is_not_a_bool():
    with pytest.raises(ValueError, match="verify must be True or False, got 'no'"):
        TGProxy.load("nb201", verify="no")


# -- searches --------------------------------------------------------------------------------------
SEARCH_CALLS = [
    ({"seed": -3}, r"seed must be an integer >= 0, got -3"),
    ({"seed": 1.5}, r"seed must be an integer >= 0, got 1.5"),
    ({"seed": "abc"}, r"seed must be an integer >= 0, got 'abc'"),
    ({"seed": True}, r"seed must be an integer >= 0, got True"),
    ({"threads": 0}, r"threads must be an integer >= 1 \(torch threads while searching, or None to keep torch's setting\), got 0"),
    ({"threads": 2.0}, r"threads must be an integer >= 1 .*, got 2.0"),
]


@pytest.mark.parametrize(("options", "message"), SEARCH_CALLS)
def test_search_names_a_bad_seed_or_thread_count(options, message):
    with pytest.raises(ValueError, match=message) as error:
        search("nb201", ParamsScorer(), method="random", progress=False, **options)
    _one_line(error)


@pytest.mark.parametrize(("options", "message"), SEARCH_CALLS)
def test_query_search_names_a_bad_seed_or_thread_count_before_loading_the_table(options, message):
    with pytest.raises(ValueError, match=message):
        query_search("nb201", "random", queries=5, **options)


@pytest.mark.parametrize("bad", [None, "nb201", 3])
def test_search_needs_a_scorer(bad):
    with pytest.raises(ValueError, match=rf"proxy must be a Scorer \(an object with score_graphs\(graphs\), .*got {type(bad).__name__}"):
        search("nb201", bad, method="random")


def test_tg_warm_needs_a_scorer():
    with pytest.raises(ValueError, match="proxy must be a Scorer .*got str"):
        query_search("nb201", "tg-warm", queries=5, proxy="nb201")


def test_search_takes_a_generator_as_its_seed():
    result = search("nb201", ParamsScorer(), method="random", seed=np.random.default_rng(0), samples=3)
    assert result.evaluations == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: EvolutionSettings(population=3), r"evolution population must be an integer >= 4 \(DE needs 3 partners"),
        (lambda: EvolutionSettings(generations=1.5), r"evolution generations must be an integer >= 0 .*got 1.5"),
        (lambda: AgingSettings(population=True), r"regularised evolution population must be an integer >= 2, got True"),
        (lambda: check_budget(np.int64(0)), r"the query budget must be an integer >= 1, got np.int64\(0\)|got 0"),
        (lambda: check_budget("10"), r"the query budget must be an integer >= 1, got '10'"),
    ],
)
def test_search_settings_share_one_integer_rule(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# -- spaces ----------------------------------------------------------------------------------------
SPACE_CASES = [
    ("nb201", NB201_CELL, "NB201Cell"),
    ("nb101", NB101_CELL, "NB101Cell"),
    ("darts", str(DARTS_V2), "DartsGenotype"),
]


@pytest.mark.parametrize(("name", "text", "type_name"), SPACE_CASES)
def test_to_graph_of_a_string_says_to_parse_it_first(name, text, type_name):
    space = spaces.create(name)
    with pytest.raises(
        ValueError, match=rf"expected a parsed {name} architecture \({type_name}\), got a string; call space.parse\(text\) first"
    ):
        space.to_graph(text)
    assert space.to_graph(space.parse(text)).source == space.format(space.parse(text))


@pytest.mark.parametrize(("name", "text", "type_name"), SPACE_CASES)
def test_to_graph_of_another_type_names_it(name, text, type_name):
    with pytest.raises(ValueError, match=rf"expected a parsed {name} architecture \({type_name}\), got int"):
        spaces.create(name).to_graph(3)


@pytest.mark.parametrize("name", spaces.NAMES)
@pytest.mark.parametrize("rng", ["abc", -1, 2.5, False])
def test_sample_names_a_bad_rng(name, rng):
    with pytest.raises(ValueError, match=rf"rng must be a non-negative integer seed, a numpy Generator or None, got {rng!r}"):
        spaces.create(name).sample(rng)


@pytest.mark.parametrize("name", spaces.NAMES)
def test_sample_and_mutate_still_take_seeds_generators_and_none(name):
    space = spaces.create(name)
    assert space.sample(np.int64(3)) == space.sample(3) == space.sample(np.random.default_rng(3))
    space.sample(None)
    with pytest.raises(ValueError, match="rng must be a non-negative integer seed"):
        space.mutate(space.sample(0), "x")


# -- the shared helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "minimum", "accepted"),
    [(0, 0, True), (np.int32(5), 1, True), (-1, 0, False), (True, 0, False), (np.bool_(True), 0, False), (1.0, 0, False), ("1", 0, False)],
)
def test_check_int_accepts_exactly_the_integers_at_least_minimum(value, minimum, accepted):
    if accepted:
        assert check_int("x", value, minimum) == value and type(check_int("x", value, minimum)) is int
    else:
        with pytest.raises(ValueError, match=rf"x must be an integer >= {minimum}, got "):
            check_int("x", value, minimum)


def test_the_command_line_uses_the_same_rule():
    import argparse

    assert integer(0)("7") == 7
    with pytest.raises(argparse.ArgumentTypeError, match="expected an integer >= 1, got '0'"):
        integer(1)("0")
    assert check_seed(None) is None and check_seed(4) == 4


def test_differences_name_only_what_differs():
    saved = {"epochs": 8, "lr": 0.1, "recipe": {"seed": 0, "loss": "mse"}, "sources": ["a", "b"]}
    now = {"epochs": 12, "lr": 0.1, "recipe": {"seed": 0, "loss": "pairwise"}, "sources": ["a", "b"], "new": 1}
    assert differences(saved, now, "the checkpoint") == [
        "epochs: 8 in the checkpoint, 12 now",
        "new: (absent) in the checkpoint, 1 now",
        "recipe.loss: mse in the checkpoint, pairwise now",
    ]
    assert differences(saved, dict(saved), "the checkpoint") == []
