"""``tgnas darts-train``: train a DARTS genotype (also under ``torchrun --nproc-per-node N -m tgnas darts-train``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields

from tgnas.choices import DARTS_DATASETS
from tgnas.cli_options import add_json_option, add_progress_option, add_threads_option, apply_threads, choice, non_negative_int, progress

# Integer options are checked for being integers >= 0 here; `TrainConfig.resolved` checks the
# lower bounds and ranges of the protocol (epochs >= 1, drop-path in [0, 1), …) and `train_network`
# the --out folder and the sample sizes, all before any data is read, with messages naming the option.

EXAMPLE = """\
example (a tiny run: one epoch on 500 CIFAR-10 images, a minute on a laptop CPU):
  tgnas darts-train --epochs 1 --layers 3 --channels 8 --batch-size 64 --limit-images 500 --out tiny-run

Without options this runs the full protocol: 600 epochs on all 50,000 CIFAR-10 images (days on one GPU).
Interrupt it any time (Ctrl-C, SIGTERM) and continue with the same command plus --resume.
"""


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "darts-train",
        help="train a DARTS genotype with the DARTS evaluation protocol (resumable; runs under torchrun)",
        description="Unset options take the DARTS protocol value of the dataset (CIFAR-10: 600 epochs, C=36, "
        "20 layers, batch 96, lr 0.025; ImageNet: 250 epochs, C=48, 14 layers, batch 1024, lr 0.5).",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--genotype", default="DARTS_V2", help="Genotype(...) string or a known name (DARTS_V1, DARTS_V2)")
    parser.add_argument(
        "--dataset", default="cifar10", type=choice("dataset", DARTS_DATASETS), metavar="DATASET", help="cifar10 (default) or imagenet"
    )
    parser.add_argument(
        "--data",
        help="CIFAR-10: python batches, image folder or tar (default: the data directory's "
        "CIFAR-10 tars); ImageNet: folder with train/<class>/ and val/<class>/",
    )
    parser.add_argument("--out", default="darts-run", help="folder for checkpoint.pt, metrics.csv, metrics.json")
    parser.add_argument("--epochs", type=non_negative_int)
    parser.add_argument("--layers", type=non_negative_int, help="number of cells")
    parser.add_argument("--channels", type=non_negative_int, help="initial channels C")
    parser.add_argument("--batch-size", type=non_negative_int, help="global batch size, split over the processes")
    parser.add_argument("--lr", type=float, help="peak learning rate (cosine decay to 0)")
    parser.add_argument("--momentum", type=float, default=0.9, help="SGD momentum")
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--drop-path", type=float, help="final drop-path probability (linear ramp from 0)")
    parser.add_argument("--cutout", type=non_negative_int, help="cutout square side (0 = off; CIFAR only)")
    parser.add_argument("--auxiliary-weight", type=float, default=0.4, help="auxiliary loss weight (0 = no auxiliary head)")
    parser.add_argument("--grad-clip", type=float, default=5.0)
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--warmup-epochs", type=non_negative_int)
    parser.add_argument(
        "--limit-images", type=non_negative_int, help="train on a class-balanced subset of this many images (at least 10 per class)"
    )
    parser.add_argument(
        "--limit-test-images",
        type=non_negative_int,
        help="evaluate on this many test images (default: all, or --limit-images of them if that is set)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--workers", type=non_negative_int, default=0, help="DataLoader worker processes per rank")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt if present")
    parser.add_argument("--stop-after", type=non_negative_int, help="train at most this many more epochs, then exit (for job time limits)")
    add_json_option(parser, help="print the final summary as JSON (per-epoch lines go to stderr)")
    add_progress_option(parser)
    add_threads_option(parser, default=None)
    parser.set_defaults(how_to_continue="rerun the same command with --resume")


def run(args: argparse.Namespace) -> int:
    from tgnas.darts import distributed  # torch
    from tgnas.darts.trainer import TrainConfig, train_network

    apply_threads(args)
    config = TrainConfig(**{field.name: getattr(args, field.name) for field in fields(TrainConfig)})
    context = distributed.init()
    try:
        summary = train_network(config, context, progress=progress(args), log=_log_to_stderr if args.json else print)
    finally:
        distributed.shutdown(context)
    if context.is_main:
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print(
                f"top-1 {summary['top1']:.2f} %  top-5 {summary['top5']:.2f} %  params {summary['params_M']:.3f} M  "
                f"FLOPs {summary['flops_M']:.1f} M  epochs {summary['epochs_done']}/{summary['epochs']}  "
                f"{summary['images_per_second'] or 0:.0f} img/s  (logs in {summary['out']})"
            )
    return 0


def _log_to_stderr(message: str) -> None:
    """With --json, stdout carries only the JSON summary; per-epoch lines go to stderr."""
    print(message, file=sys.stderr)
