"""The leave-one-benchmark-out protocol (`tgnas.tg.protocol`) on three small chain spaces defined here.

Each space is a chain of 4 slots with its own operator names for the same three operators (a 3x3
convolution, a 1x1 convolution, an identity); every benchmark labels a chain by how many 3x3
convolutions it has, with a twist per benchmark. A text-embedding predictor trained on two of them
therefore ranks the third, while one-hot codes see only unknown operators there.
"""

from __future__ import annotations

import functools
import itertools
import json
import shlex
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from tgnas import benchmarks, spaces
from tgnas.benchmarks import Benchmark
from tgnas.evaluate import evaluate_scores
from tgnas.spaces import ArchGraph, SearchSpace, as_rng
from tgnas.spaces.graph import INPUT, OUTPUT
from tgnas.tg import protocol
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.gcn import GCNConfig
from tgnas.tg.protocol import Recipe, ResultStore, choose_recipe, lobo_table, pair_runs, train_without
from tgnas.tg.size_prior import blend
from tgnas.tg.train import LeakageError, TrainRecipe

SLOTS = 4
#: per space: the names of (3x3 convolution, 1x1 convolution, identity)
OP_NAMES = {
    "chain_a": ("conv3x3-bn-relu", "conv1x1-bn-relu", "identity"),
    "chain_b": ("nor_conv_3x3", "nor_conv_1x1", "skip_connect"),
    "chain_c": ("relu_conv3x3_bn", "relu_conv1x1_bn", "skip"),
}


@dataclass(frozen=True)
class Chain:
    ops: tuple[str, ...]

    def __str__(self) -> str:
        return "|".join(self.ops)


def _space(space_name: str) -> type[SearchSpace]:
    names = OP_NAMES[space_name]

    class ChainSpace(SearchSpace[Chain]):
        name = space_name
        ops = names
        arch_type = Chain

        def parse(self, text: str) -> Chain:
            return Chain(tuple(text.split("|")))

        def sample(self, rng=None) -> Chain:
            return Chain(tuple(names[i] for i in as_rng(rng).integers(3, size=SLOTS)))

        def neighbours(self, arch: Chain) -> list[Chain]:
            return [Chain(arch.ops[:i] + (op,) + arch.ops[i + 1 :]) for i in range(SLOTS) for op in names if op != arch.ops[i]]

        def to_graph(self, arch: Chain) -> ArchGraph:
            return ArchGraph((INPUT, *arch.ops, OUTPUT), np.eye(SLOTS + 2, k=1, dtype=np.uint8), self.name, {}, str(arch))

    return ChainSpace


def _benchmark(bench_name: str, space_name: str, twist: float) -> type[Benchmark]:
    names = OP_NAMES[space_name]

    class ChainBenchmark(Benchmark):
        name = bench_name
        space = space_name
        datasets = ("task1", "task2")
        label = "3x3 convolutions, plus a little of the 1x1 ones"

        @property
        def archs(self) -> list[str]:
            return ["|".join(ops) for ops in itertools.product(names, repeat=SLOTS)]

        def _labels(self, dataset: str) -> np.ndarray:
            ops = [arch.split("|") for arch in self.archs]
            weight = twist if dataset == "task1" else 0.5 * twist
            return np.array([o.count(names[0]) + weight * o.count(names[1]) for o in ops], dtype=float)

        def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
            return ("params", "flops", "ones", "threes")

        def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
            ops = [arch.split("|") for arch in self.archs]
            if name == "params":  # 9 weights per 3x3 convolution, 1 per 1x1
                return np.array([9 * o.count(names[0]) + o.count(names[1]) for o in ops], dtype=float)
            if name == "flops":  # an order of its own: identities cost as much as convolutions
                return np.array([SLOTS - 2 * o.count(names[1]) for o in ops], dtype=float)
            values = np.array([o.count(names[1 if name == "ones" else 0]) for o in ops], dtype=float)
            values[::2] = np.nan  # computed for half of the cells only
            return values

    return ChainBenchmark


FAMILIES = ("bench_a", "bench_b", "bench_c")


@pytest.fixture(scope="module", autouse=True)
def chain_benchmarks():
    for space_name in OP_NAMES:
        spaces.register(space_name, _space(space_name))
    for bench_name, space_name, twist in zip(FAMILIES, OP_NAMES, (0.3, 0.2, 0.4)):
        benchmarks.register(bench_name, _benchmark(bench_name, space_name, twist))
    yield
    for bench_name in FAMILIES:
        benchmarks.unregister(bench_name)
    for space_name in OP_NAMES:
        spaces.unregister(space_name)


@pytest.fixture(autouse=True)
def offline_embedder(monkeypatch, tmp_path_factory):
    cache = tmp_path_factory.mktemp("embeddings")
    monkeypatch.setattr(protocol, "OperatorEmbedder", lambda length: OperatorEmbedder(length=length, cache=cache))


def _recipe(name: str, embedding: str = "text", hidden: int = 32) -> Recipe:
    return Recipe(
        name,
        embedding=embedding,
        tasks="per_task",
        max_cells=None,
        config=GCNConfig(hidden=hidden, head_hidden=16),
        train=TrainRecipe(epochs=15, batch_size=16, lr=5e-3, patience=15, loss="pairwise"),
    )


def test_a_text_model_trained_on_two_spaces_ranks_the_third_and_one_hot_codes_cannot():
    text = train_without(_recipe("text"), ["bench_c"], FAMILIES)
    one_hot = train_without(_recipe("codes", "onehot"), ["bench_c"], FAMILIES)
    assert text.sources == ["bench_a:task1", "bench_a:task2", "bench_b:task1", "bench_b:task2"]
    text_tau = protocol.mean_tau(protocol.evaluate_on(text, "bench_c").to_dict())
    one_hot_tau = protocol.mean_tau(protocol.evaluate_on(one_hot, "bench_c").to_dict())
    assert text_tau > 0.6
    assert abs(one_hot_tau) < 0.2 or np.isnan(one_hot_tau)  # every bench_c operator is "unknown"


def test_a_size_prior_ranks_each_dataset_by_the_blend_of_scores_and_parameter_counts():
    model = train_without(_recipe("text"), ["bench_c"], FAMILIES)
    bench = benchmarks.create("bench_c")
    scores = model.score_graphs(bench.graphs())
    blended = protocol.evaluate_on(model, "bench_c", 0.5)
    for dataset in bench.datasets:
        expected = evaluate_scores(blend(scores, bench.size(dataset), 0.5), {dataset: bench.labels(dataset)}, bench.has_path())
        assert blended.tau(dataset) == pytest.approx(expected.tau(dataset))
    # bench_c's labels are mostly its 3x3 convolutions, which its params count nine times: the prior moves τ
    assert blended.tau("task1") != pytest.approx(protocol.evaluate_on(model, "bench_c").tau("task1"))
    by_flops = protocol.evaluate_on(model, "bench_c", 0.5, "flops")
    for dataset in bench.datasets:
        expected = evaluate_scores(blend(scores, bench.size(dataset, "flops"), 0.5), {dataset: bench.labels(dataset)}, bench.has_path())
        assert by_flops.tau(dataset) == pytest.approx(expected.tau(dataset))
    assert by_flops.tau("task1") != pytest.approx(blended.tau("task1"))
    with pytest.raises(ValueError, match=r"size_weight must be a number in \[0, 1\)"):
        Recipe("all size", size_weight=1.0)
    with pytest.raises(ValueError, match="unknown size kind 'area'; accepted: params, flops"):
        Recipe("area prior", size_weight=0.25, size_kind="area")


def test_pair_runs_give_each_target_a_leave_one_out_table_without_its_labels(tmp_path):
    store = ResultStore(tmp_path)
    pairs = pair_runs([_recipe("small", hidden=16)], FAMILIES, store)
    assert len(pairs) == 6  # 3 pairs, each tested on both members
    table = lobo_table(pairs, "bench_c")
    assert list(table.columns) == ["bench_a", "bench_b", "mean"]
    # the bench_a entry for target bench_c comes from the run that held out bench_a *and* bench_c
    row = pairs[(pairs.tested == "bench_a") & (pairs.also_held_out == "bench_c")]
    assert table.loc["small", "bench_a"] == pytest.approx(row.tau_with_path.item())
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_one_targets_selection_trains_only_the_pairs_that_hold_it_out_and_chooses_as_the_full_one(tmp_path):
    from tgnas.experiments import universality

    recipes = [_recipe("small", hidden=16), _recipe("tiny", hidden=8)]
    alone = universality.selection(recipes, FAMILIES, ResultStore(tmp_path / "alone"), target="bench_c")
    assert len(list((tmp_path / "alone").glob("*.json"))) == 2 * len(recipes)  # {a, c} and {b, c}, not {a, b}
    assert list(alone.tables) == ["bench_c"]
    full = universality.selection(recipes, FAMILIES, ResultStore(tmp_path / "alone"))  # reads the two stored pairs
    pd.testing.assert_frame_equal(alone.tables["bench_c"], full.tables["bench_c"])
    assert alone.chosen["bench_c"] == full.chosen["bench_c"]
    with pytest.raises(ValueError, match="unknown target benchmark 'bench_z'; accepted: bench_a, bench_b, bench_c"):
        pair_runs(recipes, FAMILIES, holding_out="bench_z")


def test_select_for_applies_the_profiles_candidates_and_gives_the_train_command_of_the_choice(tmp_path, monkeypatch, capsys):
    from tgnas.cli import main
    from tgnas.experiments import universality

    record, command = universality.select_for("bench_c", "ci", str(tmp_path), members=3, families=FAMILIES)
    assert record["profile"] == "ci" and record["target"] == "bench_c" and record["pool"] == ["bench_a", "bench_b"]
    assert list(record["table"]) == universality.CI_CANDIDATES and record["chosen"] in universality.CI_CANDIDATES
    # (the toy spaces are not on the train command's list of spaces, so the arguments are read here)
    assert command[:3] == ["train", "--target", "chain_c"] and command[-2:] == ["--out", "chain_c.pt"]
    assert command[3 : command.index("--members")] == ["--sources", "bench:bench_a:mean:300", "bench:bench_b:mean:300"]
    assert command[command.index("--members") + 1] == "3" and command[command.index("--length") + 1] == record["recipe"]["length"]
    assert ("--size-weight" in command) == bool(record["recipe"]["size_weight"])
    # the command line: the same record (read back from the stored trainings), and the train command to run next
    monkeypatch.setattr(universality, "select_for", functools.partial(universality.select_for, families=FAMILIES))
    out = tmp_path / "selection_bench_c.json"
    assert (
        main(["select", "--target", "bench_c", "--profile", "ci", "--results-dir", str(tmp_path), "--out", str(out), "--members", "3"]) == 0
    )
    assert json.loads(out.read_text()) == json.loads(json.dumps(record))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"chose {record['chosen']!r} for bench_c") and printed[1] == shlex.join(
        ["tgnas", *command, "--selection", str(out)]
    )
    with pytest.raises(ValueError, match="unknown target benchmark 'nb999'"):
        universality.select_for("nb999", "ci", families=FAMILIES)
    with pytest.raises(ValueError, match="profile must be 'ci' or 'paper', got 'huge'"):
        universality.select_for("bench_c", "huge", families=FAMILIES)


def test_a_rerun_reads_the_stored_results_instead_of_training(tmp_path, monkeypatch):
    store = ResultStore(tmp_path)
    first = pair_runs([_recipe("small", hidden=16)], FAMILIES, store)

    def refuse(*args, **kwargs):
        raise AssertionError("trained again although every result is stored")

    monkeypatch.setattr(protocol, "train_without", refuse)
    again = pair_runs([_recipe("small", hidden=16)], FAMILIES, ResultStore(tmp_path))
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(AssertionError, match="trained again"):
        pair_runs([_recipe("other", hidden=8)], FAMILIES, ResultStore(tmp_path))


def test_the_rule_takes_the_best_mean_and_breaks_ties_by_size():
    big, small, poor = _recipe("big", hidden=64), _recipe("small", hidden=16), _recipe("poor", hidden=8)
    table = pd.DataFrame({"mean": [0.500, 0.495, 0.30]}, index=["big", "small", "poor"])
    assert choose_recipe(table, [big, small, poor]) is small  # within TIE of the best: fewer parameters win
    table.loc["big", "mean"] = 0.52
    assert choose_recipe(table, [big, small, poor]) is big


def test_a_held_out_space_is_never_in_the_pool():
    benchmarks.register("bench_a_twin", _benchmark("bench_a_twin", "chain_a", 0.9))
    try:
        with pytest.raises(LeakageError, match="chain_a"):
            train_without(_recipe("leaky"), ["bench_a"], ("bench_a", "bench_a_twin", "bench_b"))
    finally:
        benchmarks.unregister("bench_a_twin")


def test_bad_families_and_recipes_are_refused_in_one_line():
    with pytest.raises(ValueError, match="unknown benchmark.*'nope'.*registered"):
        train_without(_recipe("x"), ["bench_a"], ("bench_a", "nope"))
    with pytest.raises(ValueError, match="nothing left to train on"):
        train_without(_recipe("x"), list(FAMILIES), FAMILIES)
    with pytest.raises(ValueError, match="unknown embedding 'words'; accepted: text, onehot"):
        Recipe("x", embedding="words")
    with pytest.raises(ValueError, match="unknown description length 'tiny'; accepted: short, medium, long, mixed"):
        Recipe("x", length="tiny")
    with pytest.raises(ValueError, match="no leave-one-out runs for target 'bench_z'"):
        lobo_table(pd.DataFrame({"recipe": ["x"], "tested": ["bench_a"], "also_held_out": ["bench_b"], "tau_with_path": [0.1]}), "bench_z")


def test_the_universality_matrix_puts_each_target_beside_its_baselines():
    from tgnas.experiments import universality

    recipe = _recipe("small", hidden=16)
    matrix = universality.universality_matrix({family: recipe for family in FAMILIES}, FAMILIES)
    assert list(matrix["benchmark"]) == [f for f in FAMILIES for _ in range(2)]
    assert (matrix["best ZC"] == "threes").all()  # the oracle pick: the proxy that *is* the label's main term
    assert (matrix["best ZC n"] == 81 // 2).all()  # only the cells it was computed for
    assert (matrix["n"] == 81).all()
    verdict = universality.verdicts(matrix)
    assert verdict["TG > one-hot"].all()  # one-hot codes are constant (NaN τ) or weak on unseen operators
    numbers = universality.summary(matrix, verdict)
    assert numbers["rows"] == 6 and numbers["beats one-hot"] == "6 of 6"
    assert np.isnan(numbers["nb201 cifar10 path"])  # no NB201 among these benchmarks
    run = universality.Selection([], pd.DataFrame(), {}, {family: recipe for family in FAMILIES})
    tg = matrix.loc[matrix["benchmark"] == FAMILIES[0], "TG path"]
    assert universality.target_summary(matrix, run, FAMILIES[0]) == {"recipe": "small", "low": tg.min(), "high": tg.max()}
    with pytest.raises(ValueError, match="the matrix has no rows of 'nb201'; it has: bench_a"):
        universality.target_summary(matrix, run, "nb201")


def test_candidate_names_are_checked():
    from tgnas.experiments import universality

    recipes = universality.candidates(["short, task mean", "long, task mean, 3 layers", "mixed, task mean"], 3, 50, 1)
    assert [(r.length, r.config.layers) for r in recipes] == [("short", 2), ("long", 3), ("mixed", 2)] and recipes[0].train.epochs == 3
    with pytest.raises(ValueError, match="unknown candidate recipe.*'bigger'"):
        universality.candidates(["bigger"], 3, 50, 1)


def test_the_selection_goes_into_a_record_and_a_train_command_that_reproduces_it():
    from tgnas.cli import build_parser
    from tgnas.experiments import universality

    recipes = [_recipe("small", hidden=16), _recipe("tiny", hidden=8)]
    chosen = universality.selection(recipes, FAMILIES)
    record = universality.selection_record(chosen, "bench_c")
    assert record["pool"] == ["bench_a", "bench_b"] and set(record["table"]) == {"small", "tiny"}
    assert record["chosen"] == chosen.chosen["bench_c"].name and "fewest GCN parameters" in record["rule"]
    argv = universality.train_command(chosen.chosen["bench_c"], "nb201", 5)  # the shipped models' families
    args = build_parser().parse_args([*argv, "--out", "w.pt"])
    assert args.target == "nb201" and "bench:nb201:per_task" not in args.sources
    assert args.sources == [f"bench:{f}:per_task" for f in ("nb101", "nb301", "transnas_micro", "transnas_macro", "nbgraph")]
    assert (args.members, args.epochs, args.patience, args.loss, args.hidden) == (
        5,
        15,
        15,
        "pairwise",
        chosen.chosen["bench_c"].config.hidden,
    )
    assert args.size_weight == 0.0
    with_prior = replace(chosen.chosen["bench_c"], size_weight=0.25)
    args = build_parser().parse_args([*universality.train_command(with_prior, "nb201", 5), "--out", "w.pt"])
    assert args.size_weight == 0.25 and args.size_kind == "params"
    with_flops = replace(with_prior, size_kind="flops")
    args = build_parser().parse_args([*universality.train_command(with_flops, "nb201", 5), "--out", "w.pt"])
    assert (args.size_weight, args.size_kind) == (0.25, "flops")
    assert args.layer == "gcn"
    with_gin = replace(with_prior, config=replace(with_prior.config, layer="gin"))
    args = build_parser().parse_args([*universality.train_command(with_gin, "nb201", 5), "--out", "w.pt"])
    assert args.layer == "gin"


def test_cache_keys_of_recipes_from_before_the_layer_setting_are_unchanged():
    # results cached before GCNConfig had `layer` were all gcn: their keys must still find them
    onehot = Recipe("any", embedding="onehot")
    assert onehot.key() == "6a0d4349be2c"  # its key before `layer` existed
    assert replace(onehot, config=GCNConfig(layer="gat")).key() != onehot.key()


def test_results_trained_on_text_vectors_computed_another_way_are_not_reused(monkeypatch):
    # text embeddings made in batches (encoding 1) differed in their last bits, and so did the trained models
    assert Recipe("any").key() != "55ef69befdaf"  # a text recipe's key under encoding 1
    text_key, onehot_key = Recipe("any").key(), Recipe("any", embedding="onehot").key()
    monkeypatch.setattr(protocol, "ENCODING_VERSION", protocol.ENCODING_VERSION + 1)
    assert Recipe("any").key() != text_key and Recipe("any", embedding="onehot").key() == onehot_key


def test_a_task_mean_keeps_cells_measured_on_some_tasks_only():
    from tgnas.tg.sources import benchmark_sources

    base = _benchmark("bench_partial", "chain_a", 0.3)

    class Partial(base):
        def _labels(self, dataset: str) -> np.ndarray:
            values = super()._labels(dataset)
            if dataset == "task2":
                values[::3] = np.nan  # a task that measured two cells in three
            return values

    benchmarks.register("bench_partial", Partial)
    try:
        (mean,) = benchmark_sources("bench_partial", "mean")
        (task1, task2) = benchmark_sources("bench_partial", "per_task")
    finally:
        benchmarks.unregister("bench_partial")
    assert len(mean) == len(task1) == 81 and len(task2) == 54
    assert 0 < mean.labels.min() < mean.labels.max() < 1


def test_what_the_size_prior_bought_is_read_from_the_pool_tables_of_each_pair():
    from tgnas.experiments import universality

    small = _recipe("small", hidden=16)
    lonely = replace(_recipe("other", hidden=8), name="other+prior", size_weight=0.5)  # its base is no candidate
    flops_prior = replace(small, name="small+flops prior", size_weight=0.5, size_kind="flops")
    recipes = [small, replace(small, name="small+prior", size_weight=0.5), flops_prior, lonely]
    chosen = universality.selection(recipes, FAMILIES)
    gains = universality.size_prior_gains(chosen)
    assert list(gains.columns) == ["small+prior", "small+flops prior"] and list(gains.index) == list(FAMILIES)
    table = chosen.tables["bench_a"]
    for name in gains.columns:  # both priors are measured against the same recipe without one
        assert gains.loc["bench_a", name] == pytest.approx(table.loc[name, "mean"] - table.loc["small", "mean"])
    summary = universality.size_prior_summary(chosen)
    assert summary["gain low"] == pytest.approx(gains.min().min()) and summary["gain high"] == pytest.approx(gains.max().max())
    with_prior = sum(chosen.chosen[target].size_weight > 0 for target in FAMILIES)
    assert summary["chosen with a prior"] == f"{with_prior} of 3"


def test_the_shipped_models_table_puts_a_runs_own_choice_beside_each_cards():
    from tgnas.experiments import universality

    plain = universality.shipped_models()
    assert list(plain.index) == ["nb201.pt", "darts.pt"] and "this run's choice" not in plain.columns
    assert (plain["size prior"] >= 0).all() and (plain["members"] >= 1).all()
    run = universality.Selection([], pd.DataFrame(), {}, {"nb201": Recipe("mine"), "nb301": Recipe("yours")})
    beside = universality.shipped_models(current=run)
    assert beside["this run's choice"].tolist() == ["mine", "yours"]
