"""``tgnas search``: find a cell with the shipped TG proxy (no benchmark data needed), or by spending
benchmark queries (``--method agnet|tg-warm``, or ``random``/``re`` with ``--queries N``; NB201).

Every report has the key ``queries``: the real evaluations (benchmark lookups of validation
accuracy) the search spent, 0 for the zero-cost searches. With benchmark data in the data
directory the found cell is also looked up (`tgnas.data.lookup`: NB201 test accuracy on
CIFAR-10/100/ImageNet16-120 after 200 epochs, params and FLOPs; DARTS the NB301 surrogate's
CIFAR-10 validation accuracy). Those lookups happen after the search and never steer it.

With constraints (``--max-params``, ``--max-flops``, ``--max-latency``) the report also has
``constraints`` (the limits) and ``costs``: the found cell's value of each constrained quantity
(same keys, e.g. ``edgegpu_latency`` in ms), so that it can be checked against its limit. The
limits are checked against the cost tables before the proxy is loaded.
"""

from __future__ import annotations

import argparse
import json
import sys

from tgnas import spaces
from tgnas.choices import ALL_SEARCH_METHODS, ALWAYS_QUERYING, QUERY_METHODS
from tgnas.cli_options import (
    add_json_option,
    add_progress_option,
    add_space_option,
    add_threads_option,
    apply_threads,
    choice,
    non_negative_int,
    progress,
)
from tgnas.tg.cli import add_weights_options, load_proxy

DEFAULT_QUERIES = 100


def add_commands(commands) -> None:
    parser = commands.add_parser("search", help="search a cell with the TG proxy (pruning–evolutionary hybrid, paper §3.4)")
    add_space_option(parser, default="nb201")
    parser.add_argument(
        "--method",
        default="hybrid",
        type=choice("search method", ALL_SEARCH_METHODS),
        metavar="METHOD",
        help=f"search method: {', '.join(ALL_SEARCH_METHODS)} (default hybrid)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument(
        "--queries",
        type=non_negative_int,
        metavar="N",
        help=f"benchmark queries to spend (nb201; {' and '.join(ALWAYS_QUERYING)} default {DEFAULT_QUERIES}; "
        "makes random and re query validation accuracy instead of the proxy)",
    )
    parser.add_argument("--dataset", default="cifar10", help="NB201 dataset a query search queries: cifar10, cifar100, ImageNet16-120")
    add_weights_options(parser, help="proxy weights file (default: the shipped model of --space)")
    parser.add_argument("--population", type=non_negative_int, help="evolution population NP (default 20 on nb201, 50 on darts)")
    parser.add_argument("--generations", type=non_negative_int, help="evolution generations g_max (default 30 on nb201, 100 on darts)")
    parser.add_argument("--max-params", type=float, metavar="M", help="at most this many million parameters (nb201)")
    parser.add_argument("--max-flops", type=float, metavar="M", help="at most this many million FLOPs (nb201, NB-SZ convention)")
    parser.add_argument(
        "--max-latency",
        action="append",
        metavar="DEVICE=MS",
        type=_latency_limit,
        help="HW-NAS-Bench latency limit, e.g. edgegpu=5 (repeatable; nb201)",
    )
    add_json_option(parser)
    add_progress_option(parser)
    add_threads_option(parser)


def _latency_limit(text: str) -> str:
    """An argparse type: ``DEVICE=MS`` checked at parse time (so the message names --max-latency), kept as text."""
    from tgnas.search.constraints import parse_latency_limit  # numpy and the device list; only when the option is given

    try:
        parse_latency_limit(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _evolution_settings(args: argparse.Namespace):
    from tgnas.search.evolution import EvolutionSettings, default_settings  # the parser of `tgnas` must not import the searches

    if args.population is None and args.generations is None:
        return None
    default = default_settings(spaces.create(args.space))
    return EvolutionSettings(
        population=args.population if args.population is not None else default.population,
        generations=args.generations if args.generations is not None else default.generations,
    )


def _refuse_evolution_options(args: argparse.Namespace) -> None:
    if args.population is not None or args.generations is not None:
        raise ValueError(f"--population/--generations set the evolution of --method hybrid or evolution, not {args.method}")


def _query_search(args: argparse.Namespace, constraints):
    from tgnas.search import query_search  # torch and the benchmark tables: only when a search runs

    queries = DEFAULT_QUERIES if args.queries is None else args.queries
    proxy = None
    if args.method == "tg-warm":
        proxy = load_proxy(args)
    return query_search(
        args.space,
        args.method,
        queries=queries,
        seed=args.seed,
        proxy=proxy,
        dataset=args.dataset,
        constraints=constraints,
        progress=progress(args),
        threads=None,
    )


def _proxy_search(args: argparse.Namespace, constraints):
    from tgnas.search import search  # torch and the benchmark tables: only when a search runs

    options = {"settings": _evolution_settings(args)} if args.method in ("hybrid", "evolution") else {}
    proxy = load_proxy(args)
    return search(
        args.space, proxy, method=args.method, seed=args.seed, constraints=constraints, progress=progress(args), threads=None, **options
    )


def run(args: argparse.Namespace) -> int:
    from tgnas.search import Constraints, feasibility_for  # pandas, and torch through the proxy

    constraints = Constraints.from_cli(args.max_params, args.max_flops, args.max_latency)
    querying = args.method in ALWAYS_QUERYING or args.queries is not None
    if args.queries is not None and args.method not in QUERY_METHODS:
        raise ValueError(f"--queries applies to the query searches {', '.join(QUERY_METHODS)}, not --method {args.method}")
    if args.dataset != "cifar10" and not querying:
        raise ValueError("--dataset chooses what a query search queries; add --queries N or use --method agnet/tg-warm")
    if querying and args.space != "nb201":
        raise ValueError(f"--method {args.method} spends benchmark queries and needs --space nb201, not {args.space}")
    if querying or args.method not in ("hybrid", "evolution"):
        _refuse_evolution_options(args)
    # the cost tables alone refuse constraints for an unconstrained space and limits no cell meets, before the proxy loads
    costs = feasibility_for(args.space, constraints)
    apply_threads(args)
    result = _query_search(args, constraints) if querying else _proxy_search(args, constraints)
    return _report(args, result, constraints, costs)


def _report(args: argparse.Namespace, result, constraints, costs) -> int:
    from tgnas.data.lookup import lookup  # pandas and the benchmark tables
    from tgnas.data.nb201 import accuracy_column

    if not result.feasible:
        raise ValueError(f"the {args.method} search found no architecture that meets the constraints; relax them or search longer")
    report = {
        "arch": result.arch,
        "score": result.score,
        "search_seconds": result.seconds,
        "space": result.space,
        "method": result.method,
        "winner": result.winner,
        "seed": result.seed,
        "evaluations": result.evaluations,
        "queries": result.queries,
    }
    if result.queries:
        report["score_is"] = f"queried {accuracy_column(args.dataset, 'val')} (%)"
    if constraints:
        report["constraints"] = constraints.limits()
        found = costs.cost(result.arch)
        report["costs"] = {column: found[column] for column in report["constraints"]}
    report.update(lookup(args.space, result.arch))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(result.arch)
    if result.queries:
        print(
            f"validation accuracy {result.score:.2f}%  ({result.method}, {result.queries} queries, "
            f"{result.evaluations} proxy evaluations, {result.seconds:.3f} s)"
        )
    else:
        print(
            f"proxy score {result.score:.6f}  ({result.method}, winner: {result.winner}, "
            f"{result.evaluations} evaluations, 0 queries, {result.seconds:.3f} s)"
        )
    for key, value in report.items():
        if key == "test_acc":
            print("test accuracy: " + ", ".join(f"{d} {v:.2f}%" for d, v in value.items()))
        elif key in ("params_M", "flops_M", "nb301_val_acc"):
            print(f"{key}: {value:.4g}")
    if constraints:
        print(
            "constraints: "
            + ", ".join(f"{column} {report['costs'][column]:.4g} <= {limit:g}" for column, limit in report["constraints"].items())
        )
    sys.stdout.flush()
    return 0
