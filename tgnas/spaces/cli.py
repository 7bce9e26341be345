"""``tgnas space show|sample``: architectures of a search space as operator graphs."""

from __future__ import annotations

import argparse
import json

from tgnas import spaces
from tgnas.cli_options import add_json_option, add_space_option, non_negative_int, positive_int


def add_commands(commands) -> None:
    space = commands.add_parser("space", help="inspect architectures of a search space").add_subparsers(dest="action", required=True)
    show = space.add_parser("show", help="print architectures as operator graphs")
    add_space_option(show)
    show.add_argument("arch", nargs="+", help="architecture strings (NB201 arch string, NB101 cell string, DARTS genotype)")
    add_json_option(show)
    sample = space.add_parser("sample", help="print random architectures")
    add_space_option(sample)
    sample.add_argument("--n", type=positive_int, default=5, help="how many (default 5)")
    sample.add_argument("--seed", type=non_negative_int, default=0)


def run(args: argparse.Namespace) -> int:
    space = spaces.create(args.space)
    if args.action == "sample":
        rng = spaces.as_rng(args.seed)
        for _ in range(args.n):
            print(space.format(space.sample(rng)))
        return 0
    graphs = [(text, space.to_graph(space.parse(text))) for text in args.arch]
    if args.json:
        print(json.dumps([{"arch": text, "graph": graph.to_dict()} for text, graph in graphs], indent=2))
        return 0
    for text, graph in graphs:
        print(text)
        for index, op in enumerate(graph.ops):
            successors = [j for i, j in graph.edges() if i == index]
            print(f"  {index:2d} {op:<16} -> {successors}")
    return 0
