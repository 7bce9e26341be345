"""The run manifest ``_runs.json``: per chapter, the inputs and outcome of its last run.

It sits next to the executed notebooks and is keyed by notebook name; the runner compares a
chapter's current inputs with its entry to skip unchanged chapters, and the build refuses a book
whose entries record a failure, or a source or shipped proxy weights that changed since.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tgnas.atomic import write_text_atomic

MANIFEST_NAME = "_runs.json"


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The run manifest in ``out_dir`` (empty when absent); unreadable JSON is a ValueError."""
    path = Path(out_dir) / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"run manifest {path} is not valid JSON ({error}); delete it to re-run everything") from error
    if not isinstance(manifest, dict):
        raise ValueError(f"run manifest {path} must hold a JSON object keyed by notebook name; delete it")
    return manifest


def write_manifest(out_dir: Path, manifest: Mapping[str, Any]) -> None:
    """Replace the run manifest in ``out_dir`` with ``manifest`` (atomically, keys sorted)."""
    write_text_atomic(Path(out_dir) / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
