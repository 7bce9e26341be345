"""``tgnas proxies validate|compute|merge``: the zero-cost proxy suite on the command line."""

from __future__ import annotations

import argparse
import json

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
)


def add_commands(commands) -> None:
    proxies = commands.add_parser("proxies", help="zero-cost proxies: validate, compute shards, merge").add_subparsers(
        dest="action", required=True
    )
    validate = proxies.add_parser("validate", help="Spearman vs the NB-SZ reference scores and seconds per cell")
    add_space_option(validate, default="nb201", help="search space with reference scores")
    validate.add_argument("--n", type=positive_int, default=200, help="cells sampled from those with reference scores")
    validate.add_argument("--seed", type=non_negative_int, default=0)
    validate.add_argument("--proxies", nargs="+", metavar="NAME", help="proxy names (default: all 13)")
    validate.add_argument("--batch-size", type=positive_int, default=64)
    add_json_option(validate, help="print one JSON object")
    add_progress_option(validate)
    add_threads_option(validate)
    compute = proxies.add_parser("compute", help="score one shard (or this rank's shards) of a space (use shards for more cores)")
    add_space_option(compute, default="nb201", help="search space to score")
    which = compute.add_mutually_exclusive_group()
    which.add_argument("--shard", help="i/n: compute shard i of n")
    which.add_argument("--num-shards", type=positive_int, help="split into N shards; compute those of this RANK/WORLD_SIZE")
    compute.add_argument("--out", required=True, help="directory for the shard files")
    compute.add_argument("--proxies", nargs="+", metavar="NAME", help="proxy names (default: all 13)")
    compute.add_argument("--seed", type=non_negative_int, default=0)
    compute.add_argument("--batch-size", type=positive_int, default=64)
    compute.add_argument(
        "--recompute", action="store_true", help="recompute shards that already exist (needed for those computed with other settings)"
    )
    add_progress_option(compute)
    add_threads_option(compute)
    compute.set_defaults(how_to_continue="rerun the same command to compute the missing shards (finished ones are kept)")
    merge = proxies.add_parser("merge", help="join the shard files of a directory into one CSV")
    merge.add_argument("directory")
    merge.add_argument("--out", required=True, help="CSV file to write")


def run(args: argparse.Namespace) -> int:
    from tgnas.zerocost import shards  # pandas and torch
    from tgnas.zerocost.registry import resolve_names

    if args.action == "merge":
        check_output(args.out, "--out", folder=False)
        merged = shards.merge_shards(args.directory, args.out)
        print(f"merged {len(merged)} cells into {args.out}")
        return 0
    shards.check_space(args.space)
    resolve_names(args.proxies)  # unknown names are refused before a network is built or a batch loaded
    apply_threads(args)
    if args.action == "validate":
        return _validate(args)
    check_output(args.out, "--out", folder=True)
    shard = shards.parse_shard(args.shard) if args.shard is not None else None
    options = {
        "names": args.proxies,
        "space": args.space,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "recompute": args.recompute,
        "progress": progress(args),
    }
    if shard is not None:
        written = [shards.compute_shard(args.out, *shard, **options)]
    else:
        written = shards.compute_shards(args.out, args.num_shards or 1, **options)
    for path, computed in written:
        print(f"{'wrote' if computed else 'kept existing'} {path}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from tgnas.zerocost.validate import validate_against_reference  # torch and the reference tables: only when the command runs

    report = validate_against_reference(n=args.n, seed=args.seed, names=args.proxies, batch_size=args.batch_size, progress=progress(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    tg = report["tg_seconds_per_cell"]
    print(f"{report['n']} cells, seed {report['seed']}, batch {report['batch_size']}")
    print(f"{'proxy':<10} {'spearman':>9} {'s/cell':>9}")
    for name, rho in report["spearman_vs_reference"].items():
        print(f"{name:<10} {rho:>9.3f} {report['seconds_per_cell'][name]:>9.4f}")
    print(f"TG proxy: {'not available' if tg is None else f'{tg:.6f} s/cell'}")
    return 0
