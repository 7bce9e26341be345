"""``tgnas search``: find a cell with the shipped TG proxy (no benchmark data needed), or by spending
benchmark queries (``--method agnet|tg-warm``, or ``random``/``re`` with ``--queries N``; NB201).

Every report has the key ``queries``: the real evaluations (benchmark lookups of validation
accuracy) the search spent, 0 for the zero-cost searches. With benchmark data in the data directory the found cell is also looked up: NB201 test accuracy
on CIFAR-10/100/ImageNet16-120 (200 epochs), params and FLOPs; DARTS the NB301 surrogate's
CIFAR-10 validation accuracy. Those lookups happen after the search and never steer it.
"""

from __future__ import annotations

import argparse
import json
import sys

SPACES = ("nb201", "darts")
METHODS = ("hybrid", "pruning", "evolution", "random", "re", "exhaustive", "agnet", "tg-warm")
#: methods that always spend queries, and those that do when --queries is given
ALWAYS_QUERYING = ("agnet", "tg-warm")
QUERYING = ("agnet", "tg-warm", "random", "re")
DEFAULT_QUERIES = 100


def add_commands(commands) -> None:
    parser = commands.add_parser("search", help="search a cell with the TG proxy (pruning–evolutionary hybrid, paper §3.4)")
    parser.add_argument("--space", default="nb201", help=f"search space: {', '.join(SPACES)}")
    parser.add_argument("--method", default="hybrid", help=f"search method: {', '.join(METHODS)} (default hybrid)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, metavar="N",
                        help=f"benchmark queries to spend (nb201; agnet and tg-warm default {DEFAULT_QUERIES}; "
                             "makes random and re query validation accuracy instead of the proxy)")
    parser.add_argument("--dataset", default="cifar10",
                        help="NB201 dataset a query search queries: cifar10, cifar100, ImageNet16-120")
    parser.add_argument("--weights", help="proxy weights file (default: the shipped model of --space)")
    parser.add_argument("--population", type=int, help="evolution population NP (default 20 on nb201, 50 on darts)")
    parser.add_argument("--generations", type=int, help="evolution generations g_max (default 30 on nb201, 100 on darts)")
    parser.add_argument("--max-params", type=float, metavar="M", help="at most this many million parameters (nb201)")
    parser.add_argument("--max-flops", type=float, metavar="M", help="at most this many million FLOPs (nb201, NB-SZ convention)")
    parser.add_argument("--max-latency", action="append", metavar="DEVICE=MS",
                        help="HW-NAS-Bench latency limit, e.g. edgegpu=5 (repeatable; nb201)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _check_choice(name: str, value: str, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        raise ValueError(f"unknown {name} {value!r}; accepted: {', '.join(accepted)}")


def _evolution_settings(args: argparse.Namespace):
    from tgnas.search.evolution import DEFAULT_SETTINGS, EvolutionSettings

    if args.population is None and args.generations is None:
        return None
    default = DEFAULT_SETTINGS[args.space]
    return EvolutionSettings(population=args.population if args.population is not None else default.population,
                             generations=args.generations if args.generations is not None else default.generations)


def benchmark_lookup(space: str, arch: str) -> dict:
    """Benchmark numbers of a found architecture, or {} when the data directory lacks the files."""
    from tgnas.data.paths import MissingDataError

    try:
        if space == "nb201":
            from tgnas.data.nb201 import DATASETS, load_nb201_table

            table = load_nb201_table()
            return {"test_acc": {d: float(table.accuracy([arch], d)[0]) for d in DATASETS},
                    "params_M": float(table.metric("params_M", [arch])[0]),
                    "flops_M": float(table.metric("flops_M_nbsz", [arch])[0])}
        from tgnas.data.nb301 import NB301Surrogate

        return {"nb301_val_acc": float(NB301Surrogate.load().predict([arch])[0])}
    except (MissingDataError, ImportError):
        return {}


def _query_search(args: argparse.Namespace, constraints):
    from tgnas.search import query_search

    if args.space != "nb201":
        raise ValueError(f"--method {args.method} spends benchmark queries and needs --space nb201, not {args.space}")
    if args.population is not None or args.generations is not None:
        raise ValueError(f"--population/--generations set the evolution of --method hybrid or evolution, not {args.method}")
    queries = DEFAULT_QUERIES if args.queries is None else args.queries
    proxy = None
    if args.method == "tg-warm":
        from tgnas.tg.proxy import TGProxy

        proxy = TGProxy.load(args.weights or args.space)
    return query_search(args.space, args.method, queries=queries, seed=args.seed, proxy=proxy, dataset=args.dataset,
                        constraints=constraints, progress=not args.no_progress)


def run(args: argparse.Namespace) -> int:
    _check_choice("search space", args.space, SPACES)
    _check_choice("search method", args.method, METHODS)
    from tgnas.search import Constraints, search
    from tgnas.search.result import SearchResult

    constraints = Constraints.from_cli(args.max_params, args.max_flops, args.max_latency)
    querying = args.method in ALWAYS_QUERYING or args.queries is not None
    if args.queries is not None and args.method not in QUERYING:
        raise ValueError(f"--queries applies to the query searches {', '.join(QUERYING)}, not --method {args.method}")
    if args.dataset != "cifar10" and not querying:
        raise ValueError("--dataset chooses what a query search queries; add --queries N or use --method agnet/tg-warm")
    if querying:
        result: SearchResult = _query_search(args, constraints)
        return _report(args, result, constraints)
    options = {}
    if args.method in ("hybrid", "evolution"):
        options["settings"] = _evolution_settings(args)
    elif args.population is not None or args.generations is not None:
        raise ValueError(f"--population/--generations set the evolution of --method hybrid or evolution, not {args.method}")

    from tgnas.tg.proxy import TGProxy

    proxy = TGProxy.load(args.weights or args.space)
    result = search(args.space, proxy, method=args.method, seed=args.seed,
                    constraints=constraints, progress=not args.no_progress, **options)
    return _report(args, result, constraints)


def _report(args: argparse.Namespace, result, constraints) -> int:
    if not result.feasible:
        raise ValueError(f"the {args.method} search found no architecture that meets the constraints; relax them or search longer")
    report = {"arch": result.arch, "score": result.score, "search_seconds": result.seconds, "space": result.space,
              "method": result.method, "winner": result.winner, "seed": result.seed, "evaluations": result.evaluations,
              "queries": result.queries}
    if result.queries:
        from tgnas.data.nb201 import accuracy_column

        report["score_is"] = f"queried {accuracy_column(args.dataset, 'val')} (%)"
    if constraints:
        report["constraints"] = constraints.limits()
    report.update(benchmark_lookup(args.space, result.arch))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(result.arch)
    if result.queries:
        print(f"validation accuracy {result.score:.2f}%  ({result.method}, {result.queries} queries, "
              f"{result.evaluations} proxy evaluations, {result.seconds:.3f} s)")
    else:
        print(f"proxy score {result.score:.6f}  ({result.method}, winner: {result.winner}, "
              f"{result.evaluations} evaluations, 0 queries, {result.seconds:.3f} s)")
    for key, value in report.items():
        if key == "test_acc":
            print("test accuracy: " + ", ".join(f"{d} {v:.2f}%" for d, v in value.items()))
        elif key in ("params_M", "flops_M", "nb301_val_acc"):
            print(f"{key}: {value:.4g}")
    sys.stdout.flush()
    return 0
