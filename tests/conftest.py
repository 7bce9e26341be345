"""Shared test set-up.

Tests marked ``real_data`` read the benchmark files in ``$TGNAS_DATA``. Without them the tests
are skipped on a developer machine, but under ``CI=true`` a missing file is an error: CI must
never turn golden-value tests into silent skips.
"""

from __future__ import annotations

import os

import pytest

from tgnas.data.paths import ENV_VAR, data_dir


def _real_data_available() -> bool:
    return bool(os.environ.get(ENV_VAR)) and data_dir().is_dir()


def pytest_collection_modifyitems(config, items):
    if _real_data_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true but {ENV_VAR} does not point at the benchmark data directory")
    skip = pytest.mark.skip(reason=f"benchmark data not available (set {ENV_VAR})")
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch intra-op thread for a module of tiny networks: on a busy 2-core machine extra threads only wait."""
    from tgnas.search.result import torch_threads

    with torch_threads(1):
        yield
