"""Command line: ``tgnas data|space|book|score|evaluate|train …``.

Errors a user can fix (bad arguments, missing data, malformed architectures) are printed as one
line on stderr with exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Sequence

from tgnas import spaces

# Command groups that live beside the code they drive: each module defines
# ``add_commands(commands)`` (argparse sub-parsers) and ``run(args) -> int``, and imports heavy
# packages (torch, …) only inside ``run`` so that ``tgnas --help`` stays fast.
COMMAND_MODULES: dict[str, str] = {
    "proxies": "tgnas.zerocost.cli",
    "darts-train": "tgnas.darts.cli",
    "search": "tgnas.search.cli",
}


def _add_data_commands(commands) -> None:
    data = commands.add_parser("data", help="benchmark files: fetch, check, import").add_subparsers(
        dest="action", required=True
    )
    fetch = data.add_parser("fetch", help="download the benchmark files (checksums verified, atomic writes)")
    fetch.add_argument("--only", nargs="+", metavar="FILE", help="relative paths (or group names) to fetch")
    fetch.add_argument("--force", action="store_true", help="download again even if a good copy exists")
    fetch.add_argument("--mirror", help="base URL (http(s):// or file://) holding the files under their relative paths")
    check = data.add_parser("check", help="verify the files present in the data directory")
    check.add_argument("--json", action="store_true")
    data.add_parser("path", help="print the data directory in use")
    importer = data.add_parser("import-nb201", help="build the NB201 table from an official benchmark file")
    importer.add_argument("benchmark", help="NAS-Bench-201 .pth file or NATS-Bench topology archive")
    importer.add_argument("--out", required=True, help="CSV(.gz) to write")


def _add_space_commands(commands) -> None:
    space = commands.add_parser("space", help="inspect architectures of a search space").add_subparsers(
        dest="action", required=True
    )
    show = space.add_parser("show", help="print architectures as operator graphs")
    show.add_argument("--space", required=True, choices=spaces.NAMES)
    show.add_argument("arch", nargs="+", help="architecture strings (NB201 arch string, NB101 cell string, DARTS genotype)")
    show.add_argument("--json", action="store_true")
    sample = space.add_parser("sample", help="print random architectures")
    sample.add_argument("--space", required=True, choices=spaces.NAMES)
    sample.add_argument("--n", type=int, default=5)
    sample.add_argument("--seed", type=int, default=0)


def _add_book_commands(commands) -> None:
    book = commands.add_parser("book", help="execute the notebooks and build the book").add_subparsers(
        dest="action", required=True
    )
    for name, text in (("run", "execute notebooks with papermill"), ("all", "run, then build the book")):
        parser = book.add_parser(name, help=text)
        parser.add_argument("--profile", default="ci", help="ci (small, fast) or paper (full scale)")
        parser.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="notebook names, e.g. 00_benchmarks")
        parser.add_argument("--force", action="store_true", help="execute even if nothing changed")
        parser.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                            help="papermill parameter override (VALUE parsed as JSON if possible)")
    book.add_parser("build", help="build the HTML book from the executed notebooks (warnings are errors)")
    book.add_parser("check", help="load every built page in headless Chromium and check figures and links")


def _add_proxy_commands(commands) -> None:
    score = commands.add_parser("score", help="score architectures with the TG proxy (higher = better)")
    score.add_argument("--space", required=True, choices=spaces.NAMES)
    score.add_argument("--weights", help="weights file (default: the shipped model of --space)")
    score.add_argument("arch", nargs="+", help="architecture strings of --space")
    score.add_argument("--json", action="store_true")
    evaluate = commands.add_parser("evaluate", help="rank correlation of the TG proxy on all 15,625 NB201 cells")
    evaluate.add_argument("--space", required=True, choices=["nb201"], help="only NB201 has every cell labelled")
    evaluate.add_argument("--weights", help="weights file (default: the shipped NB201 model)")
    evaluate.add_argument("--json", action="store_true")
    train = commands.add_parser("train", help="train a TG proxy (progress bar, checkpoints, --resume)")
    train.add_argument("--target", required=True, choices=spaces.NAMES, help="space the proxy will score (its labels are refused)")
    train.add_argument("--sources", nargs="+", required=True, metavar="SOURCE",
                       help="nb101[:FILES], nb301[:N[:SEED]], nb201[:DATASETS]")
    train.add_argument("--out", required=True, help="weights file to write (.pt; the model card goes beside it as .json)")
    train.add_argument("--members", type=int, default=5, help="ensemble size (seeds SEED, SEED+1, …)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--epochs", type=int, default=100)
    train.add_argument("--layers", type=int, default=2)
    train.add_argument("--hidden", type=int, default=128)
    train.add_argument("--readout", default="sum")
    train.add_argument("--graph-norm", action="store_true", help="graph normalisation after each GCN layer (paper; off by default)")
    train.add_argument("--loss", default="mse+pairwise")
    train.add_argument("--length", default="short", help="operator description length: short, medium, long")
    train.add_argument("--pca", type=int, default=0, help="reduce embeddings to this many dimensions (0: no PCA)")
    train.add_argument("--checkpoint-dir", help="where per-epoch checkpoints go (default: OUT's name + .ckpt/)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoints")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tgnas", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(commands)
    _add_space_commands(commands)
    _add_book_commands(commands)
    _add_proxy_commands(commands)
    for module_name in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(module_name).add_commands(commands)
    return parser


def _parameter_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _run_data(args) -> int:
    from tgnas.data.paths import data_dir

    if args.action == "path":
        print(data_dir())
        return 0
    from tgnas.data import fetch as fetching

    if args.action == "fetch":
        results = fetching.fetch(only=args.only, force=args.force, mirror=args.mirror)
        for result in results:
            print(result)
    elif args.action == "check":
        results = fetching.check()
        if args.json:
            print(json.dumps([r.to_dict() for r in results], indent=2))
        else:
            for result in results:
                print(result)
        return 0 if all(r.ok for r in results if r.required) else 1
    elif args.action == "import-nb201":
        from tgnas.data.nb201_import import import_nb201

        frame = import_nb201(args.benchmark, out=args.out)
        print(f"wrote {len(frame)} cells to {args.out}")
    return 0


def _run_space(args) -> int:
    space = spaces.create(args.space)
    if args.action == "show":
        graphs = [(text, space.to_graph(space.parse(text))) for text in args.arch]
        if args.json:
            print(json.dumps([{"arch": text, "graph": graph.to_dict()} for text, graph in graphs], indent=2))
        else:
            for text, graph in graphs:
                print(text)
                for index, op in enumerate(graph.ops):
                    successors = [j for i, j in graph.edges() if i == index]
                    print(f"  {index:2d} {op:<16} -> {successors}")
    elif args.action == "sample":
        if args.n < 1:
            raise ValueError(f"--n must be a positive number of architectures, got {args.n}")
        rng = spaces.as_rng(args.seed)
        for _ in range(args.n):
            print(space.format(space.sample(rng)))
    return 0


def _run_book(args) -> int:
    from tgnas import book

    try:
        if args.action in ("run", "all"):
            parameters = {name: _parameter_value(value) for name, value in (args.parameter or [])}
            book.run_notebooks(profile=args.profile, only=args.only, force=args.force, parameters=parameters)
        if args.action in ("build", "all"):
            print(f"book built in {book.build_book()}")
    except (book.NotebookExecutionError, book.BookBuildError) as error:
        print(f"tgnas: error: {error}", file=sys.stderr)
        return 1
    if args.action == "check":
        problems = book.check_book()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print("book check: every page, figure and internal link is fine")
    return 0


def _load_proxy(space: str, weights: str | None):
    from tgnas.tg.proxy import TGProxy

    proxy = TGProxy.load(weights or space)
    if proxy.space != space:
        raise ValueError(f"the weights {weights} score {proxy.space} architectures, not {space}")
    return proxy


def _run_score(args) -> int:
    scores = _load_proxy(args.space, args.weights).score(args.arch)
    if args.json:
        print(json.dumps([{"arch": a, "score": s if s != float("-inf") else None} for a, s in zip(args.arch, scores.tolist())], indent=2))
    else:
        for arch, value in zip(args.arch, scores):
            print(f"{value:.6f}\t{arch}")
    return 0


def _run_evaluate(args) -> int:
    from tgnas.tg.proxy import evaluate_nb201

    result = evaluate_nb201(_load_proxy(args.space, args.weights))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for dataset, tau in result["kendall_tau"].items():
            print(f"{dataset:>15}: Kendall tau {tau:.4f}, Spearman rho {result['spearman_rho'][dataset]:.4f}")
        print(f"n = {result['n']}, scored in {result['score_seconds']:.3f} s, NB201 labels used: {result['nb201_labels_used']}")
    return 0


def _run_train(args) -> int:
    from pathlib import Path

    from tgnas.tg.embed import OperatorEmbedder
    from tgnas.tg.predictor import GCNConfig
    from tgnas.tg import TrainRecipe
    from tgnas.tg.ensemble import train_proxy

    out = Path(args.out)
    if out.suffix != ".pt":
        raise ValueError(f"--out must name a .pt weights file, got {args.out!r}")
    embedder = OperatorEmbedder(length=args.length)
    if args.pca:
        embedder = embedder.with_pca(args.pca)
    words = ["tgnas", "train"]
    for name, value in vars(args).items():
        if name in ("command", "out", "checkpoint_dir", "resume") or value is False:
            continue
        words.append(f"--{name.replace('_', '-')}")
        if value is not True:
            words += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    command = " ".join(words + ["--out", out.name])
    proxy = train_proxy(
        args.sources, args.target, members=args.members,
        recipe=TrainRecipe(epochs=args.epochs, loss=args.loss, seed=args.seed),
        config=GCNConfig(layers=args.layers, hidden=args.hidden, readout=args.readout, graph_norm=args.graph_norm),
        embedder=embedder, checkpoint_dir=args.checkpoint_dir or out.with_suffix(".ckpt"), resume=args.resume,
        command=command,
    )
    proxy.save(out)
    print(f"wrote {out} and {out.with_suffix('.json')} (validation tau per member: {proxy.card['validation_kendall_tau']})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"data": _run_data, "space": _run_space, "book": _run_book, "score": _run_score,
                "evaluate": _run_evaluate, "train": _run_train}
    handlers.update({command: importlib.import_module(module).run for command, module in COMMAND_MODULES.items()})
    from tgnas.data.fetch import OfflineError

    try:
        return handlers[args.command](args)
    except (ValueError, FileNotFoundError, OfflineError) as error:
        print(f"tgnas: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
