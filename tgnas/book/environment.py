"""What a chapter ran on: Python and key package versions, CPU, GPU and the git commit.

The runner stores one :func:`snapshot` with every run in the run manifest, so the status page
reports the machine the chapter actually ran on, not the one that built the HTML.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

#: the packages whose versions decide a chapter's numbers or its page
KEY_PACKAGES = (
    "tgnas",
    "torch",
    "torch-geometric",
    "sentence-transformers",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "seaborn",
    "onnxruntime",
    "papermill",
    "jupyter-book",
    "myst-nb",
)


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass  # not Linux: platform's answer stands
    return f"{model}, {os.cpu_count()} logical cores"


def _gpu() -> str:
    import torch  # heavy; only the snapshot needs it

    if not torch.cuda.is_available():
        return "none (CPU only)"
    return ", ".join(torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count()))


def git_commit(root: Path) -> str:
    """The commit checked out at ``root`` (with "+ local changes" when the tree differs); "unknown" outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{commit} + local changes" if changes.strip() else commit


def snapshot(root: Path) -> dict[str, Any]:
    """Python, key package versions, CPU, GPU and the git commit of the book at ``root``, now."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: _package_version(name) for name in KEY_PACKAGES},
        "cpu": _cpu(),
        "gpu": _gpu(),
        "commit": git_commit(root),
    }
