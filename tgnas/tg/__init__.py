"""The TG pipeline of paper §3.2–3.3: `describe` → `embed` → `gcn` / `predictor` → `train` → `ensemble` → `proxy`.

Importing this package imports nothing heavy; the training API below is reachable from here
(``from tgnas.tg import TrainRecipe``) but each name loads its module only when first used.
Scoring needs only ``from tgnas.tg.proxy import TGProxy`` or ``from tgnas.tg.predictor import GCNPredictor``.
"""

from __future__ import annotations

from tgnas.lazy import lazy_exports

#: name → module that defines it (loaded on first use, so `import tgnas.tg` stays free of torch)
_LAZY = {
    **dict.fromkeys(
        ("LOSSES", "LeakageError", "TrainRecipe", "TrainResult", "check_no_leakage", "fit_network", "train_predictor"), "train"
    ),
    **dict.fromkeys(
        (
            "LABEL_NORMALISATIONS",
            "LabelledGraphs",
            "benchmark_sources",
            "load_source",
            "load_sources",
            "nb101_source",
            "nb201_source",
            "nb301_source",
            "normalise_labels",
        ),
        "sources",
    ),
}

__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = sorted(_LAZY)
