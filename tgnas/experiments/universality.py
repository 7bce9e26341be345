"""Chapter 09: one predictor for every space? Leave-one-benchmark-out zero-shot ranking on six benchmarks.

`selection` runs the protocol of `tgnas.tg.protocol` (candidate recipes, pair runs, one recipe chosen
per target by a rule that never sees the target), `universality_matrix` puts the chosen model of every
target beside the same GCN with one-hot operator codes, params, FLOPs and the best precomputed
zero-cost proxy, and `nb201_ablation` shows — after the choice, and not used for it — how every
candidate would have done on NB201.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import benchmarks
from tgnas.book.parameters import POSITIVE_INT, TEXT, ChapterParameters, Kind, Parameter, optional
from tgnas.evaluate import evaluate_scores
from tgnas.tg.gcn import GCNConfig
from tgnas.tg.protocol import FAMILIES, TIE, Recipe, ResultStore, choose_recipe, lobo_table, pair_runs, run_held_out
from tgnas.tg.train import TrainRecipe

#: candidate recipes by name; every one embeds operators as text (the one-hot variant is a column of its own).
#: The set varies what the paper leaves open or names as future work: description length (its Table 2),
#: how multi-task benchmarks enter, readout, depth and the message passing (GIN and GAT layers, which
#: the paper names as future work); and whether the ranking leans on the network's size, the
#: strongest simple baseline (a size prior on the parameter count or the FLOPs,
#: `tgnas.tg.size_prior`). "mixed" embeds each operator as the mean of its three descriptions'
#: embeddings (`tgnas.tg.embed.MIXED`), so that no one phrasing decides how an operator the pool never
#: showed is read.
CANDIDATE_SHAPES: dict[str, dict] = {
    "short, task mean": {},
    "medium, task mean": {"length": "medium"},
    "long, task mean": {"length": "long"},
    "long, every task": {"length": "long", "tasks": "per_task"},
    "long, task mean, sum+mean readout": {"length": "long", "config": GCNConfig(readout="sum+mean")},
    "long, task mean, 3 layers": {"length": "long", "config": GCNConfig(layers=3)},
    "medium, task mean, params prior 0.25": {"length": "medium", "size_weight": 0.25},
    "medium, task mean, params prior 0.5": {"length": "medium", "size_weight": 0.5},
    "long, task mean, params prior 0.25": {"length": "long", "size_weight": 0.25},
    "mixed, task mean": {"length": "mixed"},
    "mixed, task mean, params prior 0.25": {"length": "mixed", "size_weight": 0.25},
    "mixed, task mean, params prior 0.5": {"length": "mixed", "size_weight": 0.5},
    "mixed, task mean, FLOPs prior 0.25": {"length": "mixed", "size_weight": 0.25, "size_kind": "flops"},
    "mixed, task mean, FLOPs prior 0.5": {"length": "mixed", "size_weight": 0.5, "size_kind": "flops"},
    "mixed, task mean, params prior 0.25, GIN": {"length": "mixed", "size_weight": 0.25, "config": GCNConfig(layer="gin")},
    "mixed, task mean, params prior 0.25, GAT": {"length": "mixed", "size_weight": 0.25, "config": GCNConfig(layer="gat")},
}
CI_CANDIDATES = ["mixed, task mean", "long, task mean", "long, task mean, params prior 0.25"]

CANDIDATE_NAMES = Kind(
    f"a non-empty list of candidate recipe names ({'; '.join(CANDIDATE_SHAPES)})",
    lambda value: isinstance(value, list) and len(value) > 0 and all(name in CANDIDATE_SHAPES for name in value),
)

PARAMETERS = ChapterParameters(
    Parameter("candidates", CANDIDATE_NAMES, ci=CI_CANDIDATES, paper=list(CANDIDATE_SHAPES)),
    Parameter("epochs", POSITIVE_INT, ci=15, paper=30),
    Parameter("max_cells", POSITIVE_INT, ci=300, paper=500),
    Parameter("members", POSITIVE_INT, ci=1, paper=2),
    Parameter("results_dir", optional(TEXT, "results kept in memory only"), ci=None, paper=None),
)


def candidates(names: Sequence[str], epochs: int, max_cells: int, members: int) -> list[Recipe]:
    """The named candidates of `CANDIDATE_SHAPES` at the chapter's scale."""
    names = list(names)
    unknown = [name for name in names if name not in CANDIDATE_SHAPES]
    if unknown or not names:
        raise ValueError(f"unknown candidate recipe(s) {unknown}; accepted: {'; '.join(CANDIDATE_SHAPES)}")
    recipes = []
    for name in names:
        train = TrainRecipe(epochs=epochs, patience=max(5, epochs // 3), loss="pairwise")
        recipes.append(Recipe(name, max_cells=max_cells, members=members, train=train, **CANDIDATE_SHAPES[name]))
    return recipes


@dataclass
class Selection:
    """The pair runs, each target's leave-one-benchmark-out table and the recipe the rule chose for it."""

    candidates: list[Recipe]
    pairs: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    chosen: dict[str, Recipe]

    def chosen_frame(self) -> pd.DataFrame:
        """One row per target: the chosen recipe and its mean LOBO τ on the target's pool."""
        return pd.DataFrame(
            [
                {"target": target, "chosen recipe": recipe.name, "mean LOBO τ (pool only)": self.tables[target].loc[recipe.name, "mean"]}
                for target, recipe in self.chosen.items()
            ]
        ).set_index("target")


def selection(
    recipes: Sequence[Recipe],
    families: Sequence[str] = FAMILIES,
    store: ResultStore | None = None,
    progress: Callable[[str], None] | None = None,
    target: str | None = None,
) -> Selection:
    """Pair runs for ``recipes``, then `choose_recipe` once per target on its own pool (every benchmark
    of ``families``, or only ``target``: a third of the trainings for six benchmarks)."""
    pairs = pair_runs(recipes, families, store, progress=progress, holding_out=target)
    targets = list(families) if target is None else [target]
    tables = {name: lobo_table(pairs, name) for name in targets}
    return Selection(list(recipes), pairs, tables, {name: choose_recipe(tables[name], recipes) for name in targets})


def select_for(
    target: str,
    profile: str,
    results_dir: str | None = None,
    members: int = 5,
    report: Callable[[str], None] | None = None,
    families: Sequence[str] = FAMILIES,
) -> tuple[dict, list[str]]:
    """What ``tgnas select`` does: the rule applied for ``target`` with the candidates and scale of the
    chapter's ``profile``; returns the selection record (`selection_record`, with the profile) and the
    ``tgnas train`` arguments of the chosen recipe (``members`` seeds) writing ``<target space>.pt``."""
    if target not in families:
        raise ValueError(f"unknown target benchmark {target!r}; accepted: {', '.join(families)}")
    names, epochs, max_cells, candidate_members, _ = PARAMETERS.resolve(
        profile, candidates=None, epochs=None, max_cells=None, members=None, results_dir=results_dir
    )
    recipes = candidates(names, epochs, max_cells, candidate_members)
    chosen = selection(recipes, families, ResultStore(results_dir), progress=report, target=target)
    record = {**selection_record(chosen, target), "profile": profile}
    out = f"{benchmarks.create(target).space}.pt"
    return record, [*train_command(chosen.chosen[target], target, members, families), "--out", out]


def _tau_on_measured(scores: np.ndarray | None, labels: np.ndarray, has_path: np.ndarray) -> tuple[float, float, int]:
    """τ on all cells and on cells with a path, over the cells both a score and a label exist for; n with a path."""
    if scores is None:
        return np.nan, np.nan, 0
    rows = ~np.isnan(scores) & ~np.isnan(labels)
    if rows.sum() < 3:
        return np.nan, np.nan, int(rows.sum())
    evaluation = evaluate_scores(scores[rows], {"d": labels[rows]}, has_path[rows])
    return evaluation.tau("d"), evaluation.tau("d", "with_path"), evaluation.n("with_path")


def _best_zero_cost(bench, dataset: str, labels: np.ndarray, has_path: np.ndarray) -> tuple[str, float, int]:
    """The precomputed proxy (params and FLOPs excluded) with the highest τ on cells with a path: an oracle choice."""
    best = ("none", np.nan, 0)
    for name in bench.zero_cost_names(dataset):
        if name in ("params", "flops"):
            continue
        _, tau, n = _tau_on_measured(bench.zero_cost(dataset, name), labels, has_path)
        if np.isfinite(tau) and (not np.isfinite(best[1]) or tau > best[1]):
            best = (name, tau, n)
    return best


def universality_matrix(chosen: dict[str, Recipe], families: Sequence[str] = FAMILIES, store: ResultStore | None = None) -> pd.DataFrame:
    """One row per (target benchmark, dataset): TG zero-shot, one-hot codes, params, FLOPs, best precomputed ZC.

    TG and one-hot are the chosen recipe of each target trained on every other benchmark; τ on all
    cells (cells without a path score lowest) and on cells with a path; ``n`` counts the labelled
    cells with a path. The best ZC proxy is picked per row by its own τ (an oracle, favouring the baseline).
    """
    store = store or ResultStore(None)
    rows = []
    for target in families:
        bench = benchmarks.create(target)
        text = run_held_out(chosen[target], [target], families, store)[target]
        codes = run_held_out(chosen[target].with_embedding("onehot"), [target], families, store)[target]
        has_path = bench.has_path()
        for dataset in bench.datasets:
            labels = bench.labels(dataset)
            params_all, params_path, _ = _tau_on_measured(bench.size(dataset, "params"), labels, has_path)
            flops_all, flops_path, _ = _tau_on_measured(bench.size(dataset, "flops"), labels, has_path)
            zc_name, zc_tau, zc_n = _best_zero_cost(bench, dataset, labels, has_path)
            rows.append(
                {
                    "benchmark": target,
                    "dataset": dataset,
                    "n": text["n_per_dataset"]["with_path"][dataset],
                    "TG all": text["kendall_tau"]["all"][dataset],
                    "TG path": text["kendall_tau"]["with_path"][dataset],
                    "one-hot path": codes["kendall_tau"]["with_path"][dataset],
                    "params path": params_path,
                    "FLOPs path": flops_path,
                    "params all": params_all,
                    "best ZC": zc_name,
                    "best ZC path": zc_tau,
                    "best ZC n": zc_n,
                }
            )
    return pd.DataFrame(rows)


def verdicts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per row: does TG beat params and one-hot (cells with a path), and is it positive?

    A baseline whose scores are constant on a benchmark (one-hot codes that see only "unknown"
    operators, say) has an undefined τ (NaN); it ranks nothing, so it counts as τ = 0 here.
    """
    frame = matrix[["benchmark", "dataset"]].copy()
    frame["TG > params"] = matrix["TG path"] > matrix["params path"].fillna(0)
    frame["TG > one-hot"] = matrix["TG path"] > matrix["one-hot path"].fillna(0)
    frame["TG > 0"] = matrix["TG path"] > 0
    return frame


def share_verdict(passed: pd.Series) -> str:
    """A scorecard verdict from per-row outcomes: every row passes, some do, or none."""
    return "reproduced" if passed.all() else "partly" if passed.any() else "not reproduced"


def nb201_ablation(recipes: Sequence[Recipe], families: Sequence[str] = FAMILIES, store: ResultStore | None = None) -> pd.DataFrame:
    """Every candidate trained without NB201 and scored on it — reported after the choice, never used for it."""
    rows = []
    for recipe in recipes:
        evaluation = run_held_out(recipe, ["nb201"], families, store or ResultStore(None))["nb201"]
        rows.append(
            {"recipe": recipe.name, **{f"{d} path": evaluation["kendall_tau"]["with_path"][d] for d in evaluation["kendall_tau"]["all"]}}
        )
    return pd.DataFrame(rows).set_index("recipe")


def plot_matrix(matrix: pd.DataFrame):
    """τ on cells with a path per benchmark row: TG, one-hot, params (one panel, book width)."""
    labels = [f"{b} · {d}" for b, d in zip(matrix["benchmark"], matrix["dataset"])]
    positions = np.arange(len(matrix))
    fig, ax = plt.subplots(figsize=(7.0, 0.28 * len(matrix) + 1.2))
    for offset, column, colour in ((-0.27, "TG path", "C0"), (0.0, "one-hot path", "C1"), (0.27, "params path", "C7")):
        ax.barh(positions + offset, matrix[column].fillna(0), height=0.27, color=colour, label=column.replace(" path", ""))
    ax.set_yticks(positions, labels, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Kendall τ on cells with a path", fontsize=10)
    ax.legend(fontsize=9, loc="lower right")
    ax.tick_params(axis="x", labelsize=9)
    fig.tight_layout()
    return fig


def summary(matrix: pd.DataFrame, verdict: pd.DataFrame) -> dict[str, object]:
    """The numbers the chapter's prose cites: counts of rows meeting each bar, and NB201 CIFAR-10's τ."""
    rows = len(matrix)
    nb201 = matrix[(matrix["benchmark"] == "nb201") & (matrix["dataset"] == "cifar10")]
    return {
        "rows": rows,
        "beats params": f"{int(verdict['TG > params'].sum())} of {rows}",
        "beats one-hot": f"{int(verdict['TG > one-hot'].sum())} of {rows}",
        "positive": f"{int(verdict['TG > 0'].sum())} of {rows}",
        "below params": ", ".join(dict.fromkeys(verdict.loc[~verdict["TG > params"], "benchmark"])) or "no benchmark",
        "nb201 cifar10 path": float(nb201["TG path"].iloc[0]) if len(nb201) else float("nan"),
        "nb201 cifar10 all": float(nb201["TG all"].iloc[0]) if len(nb201) else float("nan"),
        "nb201 cifar10 params path": float(nb201["params path"].iloc[0]) if len(nb201) else float("nan"),
    }


def target_summary(matrix: pd.DataFrame, chosen: Selection, target: str) -> dict[str, object]:
    """For one target benchmark: the recipe the rule chose and the lowest and highest TG τ (with a path) over its datasets."""
    rows = matrix[matrix["benchmark"] == target]
    if rows.empty:
        raise ValueError(f"the matrix has no rows of {target!r}; it has: {', '.join(dict.fromkeys(matrix['benchmark']))}")
    return {"recipe": chosen.chosen[target].name, "low": float(rows["TG path"].min()), "high": float(rows["TG path"].max())}


def size_prior_gains(chosen: Selection) -> pd.DataFrame:
    """What the size prior bought on each target's pool (pool only, like the choice itself).

    One column per candidate with a prior whose recipe without it is also a candidate: its mean LOBO τ
    minus that recipe's, one row per target. Empty when no candidate has such a pair.
    """

    def bare(recipe: Recipe) -> Recipe:  # the same recipe without its prior (the kind of a prior of weight 0 is moot)
        return replace(recipe, name="", size_weight=0.0, size_kind="params")

    without_prior = {bare(recipe): recipe.name for recipe in chosen.candidates if not recipe.size_weight}
    gains = {}
    for recipe in chosen.candidates:
        base = without_prior.get(bare(recipe)) if recipe.size_weight else None
        if base is not None:
            gains[recipe.name] = {
                target: table.loc[recipe.name, "mean"] - table.loc[base, "mean"] for target, table in chosen.tables.items()
            }
    return pd.DataFrame(gains)


def size_prior_summary(chosen: Selection) -> dict[str, object]:
    """The numbers the chapter's prose cites about the prior: the range of `size_prior_gains` and how many targets chose one."""
    gains = size_prior_gains(chosen)
    with_prior = sum(recipe.size_weight > 0 for recipe in chosen.chosen.values())
    return {
        "gain low": float(gains.min().min()) if gains.size else float("nan"),
        "gain high": float(gains.max().max()) if gains.size else float("nan"),
        "chosen with a prior": f"{with_prior} of {len(chosen.chosen)}",
    }


def selection_record(chosen: Selection, target: str) -> dict:
    """What a model card keeps of the choice for ``target``: the rule, the pool, the LOBO table and the winner."""
    table = chosen.tables[target]
    return {
        "target": target,
        "rule": f"highest mean leave-one-benchmark-out Kendall tau (cells with a path) on the pool; within {TIE} of it, fewest GCN parameters",
        "pool": [column for column in table.columns if column != "mean"],
        "table": {name: {k: round(float(v), 4) for k, v in row.items()} for name, row in table.iterrows()},
        "chosen": chosen.chosen[target].name,
        "recipe": chosen.chosen[target].to_dict(),
    }


def train_command(recipe: Recipe, target: str, members: int, families: Sequence[str] = FAMILIES) -> list[str]:
    """The ``tgnas train`` arguments that train ``recipe`` on every benchmark but ``target`` (the shipped models' command)."""
    space = benchmarks.create(target).space
    cells = "" if recipe.max_cells is None else f":{recipe.max_cells}"
    sources = [f"bench:{family}:{recipe.tasks}{cells}" for family in families if family != target]
    config, train = recipe.config, recipe.train
    return [
        *("train", "--target", space, "--sources", *sources),
        *("--members", str(members), "--seed", str(train.seed), "--epochs", str(train.epochs), "--patience", str(train.patience)),
        *("--layers", str(config.layers), "--hidden", str(config.hidden), "--readout", config.readout, "--loss", train.loss),
        *("--length", recipe.length),
        *(("--layer", config.layer) if config.layer != "gcn" else ()),
        *(("--size-weight", str(recipe.size_weight)) if recipe.size_weight else ()),
        *(("--size-kind", recipe.size_kind) if recipe.size_weight and recipe.size_kind != "params" else ()),
    ]


def shipped_models(names: Sequence[str] = ("nb201", "darts"), current: Selection | None = None) -> pd.DataFrame:
    """The shipped zero-shot models as their cards describe them: target, chosen recipe, its LOBO τ, training time, command.

    ``current``: a selection run now; its choice for each model's target is shown beside the card's.
    """
    from tgnas.tg.proxy import TGProxy  # torch; the rest of this module only needs it through the protocol

    rows = []
    for name in names:
        card = TGProxy.load(name).card
        selection = card.get("selection") or {}
        chosen = selection.get("chosen", "(not chosen by the protocol)")
        rows.append(
            {
                "model": f"{name}.pt",
                "target benchmark": selection.get("target", card["target_space"]),
                "chosen recipe": chosen,
                **(
                    {"this run's choice": current.chosen[selection["target"]].name}
                    if current and selection.get("target") in current.chosen
                    else {}
                ),
                "profile of the choice": selection.get("profile", "unknown"),
                "mean LOBO τ (pool only)": selection.get("table", {}).get(chosen, {}).get("mean", np.nan),
                "size prior": (card.get("size_prior") or {}).get("weight", 0.0),
                "members": card["members"],
                "training (s)": card["train_seconds"],
                "sources": ", ".join(source["name"] for source in card["sources"]),
            }
        )
    return pd.DataFrame(rows).set_index("model")
