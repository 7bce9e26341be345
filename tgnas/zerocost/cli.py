"""``tgnas proxies validate|compute|merge`` (registered in `tgnas.cli.COMMAND_MODULES`)."""

from __future__ import annotations

import json
import sys


_THREADS_HELP = "torch intra-op threads per process (default 1: the networks are small; use shards for more cores)"


def add_commands(commands) -> None:
    proxies = commands.add_parser("proxies", help="zero-cost proxies: validate, compute shards, merge").add_subparsers(
        dest="action", required=True
    )
    validate = proxies.add_parser("validate", help="Spearman vs the NB-SZ reference scores and seconds per cell")
    validate.add_argument("--space", default="nb201", help="search space (nb201)")
    validate.add_argument("--n", type=int, default=200, help="cells sampled from those with reference scores")
    validate.add_argument("--seed", type=int, default=0)
    validate.add_argument("--proxies", nargs="+", metavar="NAME", help="proxy names (default: all 13)")
    validate.add_argument("--batch-size", type=int, default=64)
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.add_argument("--threads", type=int, default=1, help=_THREADS_HELP)
    compute = proxies.add_parser("compute", help="score one shard (or this rank's shards) of a space")
    compute.add_argument("--space", default="nb201", help="search space (nb201)")
    which = compute.add_mutually_exclusive_group()
    which.add_argument("--shard", help="i/n: compute shard i of n")
    which.add_argument("--num-shards", type=int, help="split into N shards; compute those of this RANK/WORLD_SIZE")
    compute.add_argument("--out", required=True, help="directory for the shard files")
    compute.add_argument("--proxies", nargs="+", metavar="NAME", help="proxy names (default: all 13)")
    compute.add_argument("--seed", type=int, default=0)
    compute.add_argument("--batch-size", type=int, default=64)
    compute.add_argument("--force", action="store_true", help="recompute shards that already exist")
    compute.add_argument("--threads", type=int, default=1, help=_THREADS_HELP)
    merge = proxies.add_parser("merge", help="join the shard files of a directory into one CSV")
    merge.add_argument("directory")
    merge.add_argument("--out", required=True, help="CSV file to write")


def run(args) -> int:
    from tgnas.zerocost import shards

    shards.check_space(getattr(args, "space", "nb201"))
    if getattr(args, "threads", None) is not None:
        if args.threads < 1:
            raise ValueError(f"--threads must be a positive number of threads, got {args.threads}")
        import torch

        torch.set_num_threads(args.threads)
    if args.action == "validate":
        from tgnas.zerocost.validate import validate_against_reference

        report = validate_against_reference(
            n=args.n, seed=args.seed, names=args.proxies, batch_size=args.batch_size, progress=sys.stderr.isatty()
        )
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            tg = report["tg_seconds_per_cell"]
            print(f"{report['n']} cells, seed {report['seed']}, batch {report['batch_size']}")
            print(f"{'proxy':<10} {'spearman':>9} {'s/cell':>9}")
            for name, rho in report["spearman_vs_reference"].items():
                print(f"{name:<10} {rho:>9.3f} {report['seconds_per_cell'][name]:>9.4f}")
            print(f"TG proxy: {'not available' if tg is None else f'{tg:.6f} s/cell'}")
        return 0
    if args.action == "compute":
        options = dict(names=args.proxies, space=args.space, seed=args.seed, batch_size=args.batch_size, force=args.force)
        if args.shard is not None:
            index, count = shards.parse_shard(args.shard)
            written = [shards.compute_shard(args.out, index, count, **options)]
        else:
            written = shards.compute_shards(args.out, args.num_shards or 1, **options)
        for path, computed in written:
            print(f"{'wrote' if computed else 'kept existing'} {path}")
        return 0
    merged = shards.merge_shards(args.directory, args.out)
    print(f"merged {len(merged)} cells into {args.out}")
    return 0
