"""The generated data page: every file of the data manifest, its origin, licence, size and use.

Origin, licence and checksum come from :mod:`tgnas.data.manifest`; the size is the file's in the
data directory when the book is built. What the book uses a file for is said once per manifest
group in :data:`USES` (a group added to the manifest without a line here fails the tests).
"""

from __future__ import annotations

from pathlib import Path

from tgnas.data.manifest import MANIFEST, ManifestEntry

USES = {
    "nb201": "The NAS-Bench-201 table (15,625 cells): the ground-truth accuracies every NB201 result is scored against, "
    "and the parameter and FLOPs baselines.",
    "nb201_zc": "Precomputed zero-cost proxies of NB201 cells (NAS-Bench-Suite-Zero values): the proxies the TG proxy is compared with.",
    "hw_nas_bench": "HW-NAS-Bench latency and energy of every NB201 cell on six devices: the hardware-constrained searches.",
    "nb101": "Labelled NAS-Bench-101 cells: the predictor's training data and the NB101 examples of the cell graphs.",
    "nb101-full": "The complete NAS-Bench-101 (optional): what the paper trained on; the loader reads it when present.",
    "transnas101": "TransNAS-Bench-101 cells with precomputed proxies: zero-shot evaluation on tasks other than image classification.",
    "nb301": "The NAS-Bench-301 surrogate (it labels DARTS cells) and the NB-SZ DARTS cells with precomputed proxies.",
    "cifar10": "A 1,000-image CIFAR-10 test subset: the images the zero-cost proxies are computed on.",
    "cifar10-jpeg": "CIFAR-10 as JPEG images: training and testing the found DARTS cell.",
}


def origin(entry: ManifestEntry) -> str:
    """Where a file comes from, in words: its download URL, what it is derived from, or why only a mirror has it."""
    if entry.derived_from:
        return "derived here from " + ", ".join(f"`{relative}`" for relative in entry.derived_from)
    if entry.mirror_only:
        return f"mirror only: {entry.note}"
    return f"<{entry.url}>" + (f" ({entry.note})" if entry.note else "")


def _size(path: Path) -> str:
    if not path.is_file():
        return "not in the data directory"
    size = path.stat().st_size
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def data_page_markdown(directory: Path) -> str:
    """One table per manifest group (its use above it): file, origin, licence, size in ``directory``, fetched by default."""
    sections = []
    for group, use in USES.items():
        entries = [entry for entry in MANIFEST if entry.group_name == group]
        rows = [
            f"| `{entry.relative}` | {origin(entry)} | {entry.licence} | {_size(Path(directory) / entry.relative)} | "
            f"{'yes' if entry.default else 'no'} |"
            for entry in entries
        ]
        header = "| file | origin | licence | size | fetched by `tgnas data fetch` |\n|---|---|---|---|---|"
        sections.append(f"**{group}**: {use}\n\n{header}\n" + "\n".join(row.replace("\\|", "|") for row in rows) + "\n")
    return "\n".join(sections)
