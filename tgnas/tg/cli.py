"""``tgnas score|evaluate|select|train``: the TG proxy (paper §3.2–3.3) on the command line.

``select`` then ``train`` is how a shipped model is made: ``select`` applies the recipe-selection
rule of `tgnas.tg.protocol` for one target (leave-one-benchmark-out on the other benchmarks only),
writes the selection record and prints the ``train`` command of the chosen recipe, whose model card
then holds that record.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from tgnas.atomic import write_text_atomic
from tgnas.choices import SHIPPED_PROXIES
from tgnas.cli_options import (
    add_json_option,
    add_progress_option,
    add_space_option,
    add_threads_option,
    apply_threads,
    check_output,
    non_negative_int,
    positive_int,
    progress,
    space_name,
)


def add_commands(commands) -> None:
    score = commands.add_parser("score", help="score architectures with the TG proxy (higher = better)")
    add_space_option(score, listed=SHIPPED_PROXIES, help="search space with a shipped TG proxy")
    add_weights_options(score, help="weights file (default: the shipped model of --space; needed for other spaces)")
    score.add_argument("arch", nargs="+", help="architecture strings of --space")
    add_json_option(score, help="print the result as JSON on stdout (a cell without input-output path scores -inf, written null in JSON)")
    add_threads_option(score)

    evaluate = commands.add_parser("evaluate", help="rank correlation of the TG proxy with a space's labelled benchmark")
    add_space_option(evaluate, help="search space whose benchmark labels every cell it lists (e.g. nb201)")
    add_weights_options(evaluate)
    add_json_option(evaluate)
    add_threads_option(evaluate)
    add_progress_option(evaluate)

    select = commands.add_parser(
        "select", help="choose a training recipe for a target benchmark without its labels (leave-one-benchmark-out on the others)"
    )
    select.add_argument("--target", required=True, metavar="BENCHMARK", help="benchmark the model will score (never trained or chosen on)")
    select.add_argument("--profile", default="paper", help="candidate set and scale: ci or paper (chapter 09's profiles; default paper)")
    select.add_argument(
        "--results-dir", help="where each training's result is kept, so an interrupted selection resumes (default: memory only)"
    )
    select.add_argument("--out", required=True, help="selection record to write (JSON; pass it to `tgnas train --selection`)")
    select.add_argument("--members", type=positive_int, default=5, help="ensemble size in the printed train command (default 5)")
    add_progress_option(select)
    add_threads_option(select, default=None)
    select.set_defaults(how_to_continue="rerun the same command (with --results-dir) to resume")

    train = commands.add_parser("train", help="train a TG proxy (progress bar, checkpoints, --resume)")
    train.add_argument(
        "--target", required=True, type=space_name, metavar="SPACE", help="space the proxy will score (its labels are refused)"
    )
    train.add_argument(
        "--sources",
        nargs="+",
        required=True,
        metavar="SOURCE",
        help="nb101[:FILES], nb301[:N[:SEED]], nb201[:DATASETS], bench:NAME[:TASKS[:MAX_CELLS]] (a registered benchmark)",
    )
    train.add_argument("--out", required=True, help="weights file to write (.pt; the model card goes beside it as .json)")
    train.add_argument("--members", type=positive_int, default=5, help="ensemble size (seeds SEED, SEED+1, …)")
    train.add_argument("--seed", type=non_negative_int, default=0)
    train.add_argument("--epochs", type=positive_int, default=100)
    train.add_argument("--patience", type=positive_int, default=40, help="stop after this many epochs without a better validation τ")
    train.add_argument("--layers", type=positive_int, default=2)
    train.add_argument("--hidden", type=positive_int, default=128)
    train.add_argument("--readout", default="sum")
    train.add_argument("--layer", default="gcn", help="message passing of each layer: gcn (the paper's), gin or gat")
    train.add_argument("--graph-norm", action="store_true", help="graph normalisation after each GCN layer (paper; off by default)")
    train.add_argument("--loss", default="mse+pairwise", help="mse, pairwise, mse+pairwise or listwise (ListMLE)")
    train.add_argument(
        "--length", default="short", help="operator description length: short, medium, long, or mixed (the mean of the three embeddings)"
    )
    train.add_argument(
        "--size-weight",
        type=float,
        default=0.0,
        help="blend the score with the network's size (--size-kind), this share of it, in [0, 1) (0: the TG score alone)",
    )
    train.add_argument("--size-kind", default="params", help="the size --size-weight blends with: params or flops (default params)")
    train.add_argument("--pca", type=non_negative_int, default=0, help="reduce embeddings to this many dimensions (0: no PCA)")
    train.add_argument(
        "--selection",
        metavar="FILE",
        help="JSON of the recipe selection that chose these settings (leave-one-benchmark-out table); copied into the model card",
    )
    train.add_argument("--checkpoint-dir", help="where per-epoch checkpoints go (default: OUT's name + .ckpt/)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoints")
    add_progress_option(train)
    add_threads_option(train, why="bit-reproducible weights, as float sums depend on the thread count; the model card records it")
    train.set_defaults(how_to_continue="rerun the same command with --resume")


def run(args: argparse.Namespace) -> int:
    apply_threads(args)
    return {"score": _score, "evaluate": _evaluate, "select": _select, "train": _train}[args.command](args)


def add_weights_options(parser: argparse.ArgumentParser, help: str = "weights file (default: the shipped model of --space)") -> None:
    """``--weights FILE`` and ``--no-verify``; read them with `load_proxy`."""
    parser.add_argument("--weights", help=help)
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="load the weights without their model card (FILE.json) and its sha256 check; prints a warning",
    )


def load_proxy(args: argparse.Namespace):
    """The TG proxy of ``--space`` from ``--weights``/``--no-verify`` (`add_weights_options`)."""
    space, weights, verify = args.space, args.weights, args.verify
    if weights is None and space not in SHIPPED_PROXIES:
        raise ValueError(
            f"no TG proxy ships for --space {space}; shipped: {', '.join(SHIPPED_PROXIES)}; "
            f"pass --weights FILE with one you trained (tgnas train --target {space} ...)"
        )
    from tgnas.tg.proxy import TGProxy  # torch

    if not verify:
        print(f"tgnas: warning: --no-verify: loading {weights or space} without checking it against its model card", file=sys.stderr)
    proxy = TGProxy.load(weights or space, verify=verify)
    if proxy.space != space:
        raise ValueError(f"the weights {weights} score {proxy.space} architectures, not {space}")
    return proxy


def _score(args: argparse.Namespace) -> int:
    scores = load_proxy(args).score(args.arch).tolist()
    if args.json:
        print(json.dumps([{"arch": a, "score": s if s != float("-inf") else None} for a, s in zip(args.arch, scores)], indent=2))
        return 0
    for arch, value in zip(args.arch, scores):
        print(f"{value:.6f}\t{arch}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    proxy = load_proxy(args)
    from tgnas.evaluate import evaluate  # scipy, pandas and the benchmark tables

    evaluation = evaluate(proxy, benchmark=args.space, progress=progress(args))
    report = {
        **evaluation.to_dict(),
        "scorer": proxy.card.get("name"),
        "nb201_labels_used": bool(proxy.card.get("nb201_labels_used", True)),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for row in evaluation.frame().itertuples():
        print(f"{row.dataset:>15} {row.subset:>9}: Kendall tau {row.kendall_tau:.4f}, Spearman rho {row.spearman_rho:.4f}, n = {row.n}")
    print(f"NB201 labels used to train the proxy: {report['nb201_labels_used']}")
    return 0


def _select(args: argparse.Namespace) -> int:
    out = check_output(args.out, "--out", folder=False)
    if args.results_dir:
        check_output(args.results_dir, "--results-dir", folder=True)
    from tgnas.experiments import universality  # torch, the benchmarks

    record, command = universality.select_for(args.target, args.profile, args.results_dir, args.members, report=_reporter(args))
    write_text_atomic(out, json.dumps(record, indent=2) + "\n")
    print(
        f"chose {record['chosen']!r} for {args.target} (mean leave-one-benchmark-out tau on the pool {record['table'][record['chosen']]['mean']:.4f}); wrote {out}"
    )
    print(shlex.join(["tgnas", *command, "--selection", str(out)]))
    return 0


def _reporter(args: argparse.Namespace):
    """One stderr line as each held-out training starts when progress is on, else None."""
    if not progress(args):
        return None
    return lambda line: print(line, file=sys.stderr, flush=True)


def _train(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix != ".pt":
        raise ValueError(f"--out must name a .pt weights file, got {args.out!r}")
    check_output(out, "--out", folder=False)
    check_output(out.with_suffix(".json"), "--out's model card", folder=False)
    import numpy as np  # the parser of `tgnas` imports nothing it does not need

    from tgnas.tg.embed import OperatorEmbedder  # torch
    from tgnas.tg.ensemble import check_sized, train_proxy
    from tgnas.tg.predictor import GCNConfig
    from tgnas.tg.size_prior import check_kind, check_weight
    from tgnas.tg.sources import LabelledGraphs, source_space
    from tgnas.tg.train import TrainRecipe, check_no_leakage

    # every setting is checked before anything loads: the PCA below embeds operators with the transformer
    check_no_leakage([LabelledGraphs(spec, source_space(spec), [], np.zeros(0)) for spec in args.sources], args.target)
    selection = _read_selection(args.selection) if args.selection else None
    check_kind(args.size_kind)
    if check_weight(args.size_weight):
        check_sized(args.target, args.size_kind)
    recipe = TrainRecipe(epochs=args.epochs, loss=args.loss, seed=args.seed, patience=args.patience)
    config = GCNConfig(layers=args.layers, hidden=args.hidden, readout=args.readout, graph_norm=args.graph_norm, layer=args.layer)
    embedder = OperatorEmbedder(length=args.length)
    if args.pca:
        embedder = embedder.with_pca(args.pca)
    proxy = train_proxy(
        args.sources,
        args.target,
        members=args.members,
        recipe=recipe,
        config=config,
        embedder=embedder,
        checkpoint_dir=args.checkpoint_dir or out.with_suffix(".ckpt"),
        resume=args.resume,
        progress=progress(args),
        command=args.command_line,
        selection=selection,
        size_weight=args.size_weight,
        size_kind=args.size_kind,
    )
    proxy.save(out)
    print(f"wrote {out} and {out.with_suffix('.json')} (validation tau per member: {proxy.card['validation_kendall_tau']})")
    return 0


def _read_selection(path: str) -> dict:
    """The ``--selection`` file: a JSON object, checked before any training starts."""
    try:
        value = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"--selection file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"--selection file {path!r} is not readable JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"--selection file {path!r} must hold a JSON object, got {type(value).__name__}")
    return value
