"""``tgnas data fetch|check|path|import-nb201``: the benchmark files in the data directory.

``data check`` exits 1 when a file is corrupt (optional or not) or a required one is missing (its verdict); everything it
prints is the verdict, so that status is not a usage error.
"""

from __future__ import annotations

import argparse
import json

from tgnas.cli_options import add_json_option, add_progress_option, check_output, progress
from tgnas.data.paths import data_dir


def add_commands(commands) -> None:
    data = commands.add_parser("data", help="benchmark files: fetch, check, import").add_subparsers(dest="action", required=True)
    fetch = data.add_parser("fetch", help="download the benchmark files (checksums verified, atomic writes)")
    fetch.add_argument("--only", nargs="+", metavar="FILE", help="relative paths (or group names) to fetch")
    fetch.add_argument("--force", action="store_true", help="download again even if a good copy exists")
    fetch.add_argument("--mirror", help="base URL (http(s):// or file://) holding the files under their relative paths")
    add_progress_option(fetch)
    check = data.add_parser("check", help="verify the files present in the data directory (exit 1 if a required one is bad)")
    add_json_option(check)
    data.add_parser("path", help="print the data directory in use")
    importer = data.add_parser("import-nb201", help="build the NB201 table from an official benchmark file")
    importer.add_argument("benchmark", help="NAS-Bench-201 .pth file or NATS-Bench topology archive")
    importer.add_argument("--out", required=True, help="CSV(.gz) to write")
    add_progress_option(importer)


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        print(data_dir())
        return 0
    if args.action == "import-nb201":
        from tgnas.data.nb201_import import import_nb201  # pandas and torch (for .pth files)

        check_output(args.out, "--out", folder=False)

        frame = import_nb201(args.benchmark, out=args.out, progress=progress(args))
        print(f"wrote {len(frame)} cells to {args.out}")
        return 0
    from tgnas.data import fetch as fetching  # pandas

    if args.action == "fetch":
        for result in fetching.fetch(only=args.only, force=args.force, mirror=args.mirror, progress=progress(args)):
            print(result)
        return 0
    results = fetching.check()
    lines, verdict = fetching.check_report(results)
    if args.json:
        print(json.dumps([result.to_dict() for result in results], indent=2))
    else:
        print("\n".join(lines))
    return verdict
