"""The TG pipeline of paper §3.2–3.3: `describe` → `embed` → `gcn` / `predictor` → `train` → `ensemble` → `proxy`.

Importing this package imports nothing heavy; the training API below is reachable from here
(``from tgnas.tg import TrainRecipe``) but each name loads its module only when first used.
Scoring needs only ``from tgnas.tg.proxy import TGProxy`` or ``from tgnas.tg.predictor import GCNPredictor``.
"""

from __future__ import annotations

from importlib import import_module

#: name → module that defines it (loaded on first use, so `import tgnas.tg` stays free of torch)
_LAZY = {
    **dict.fromkeys(("LOSSES", "LeakageError", "TrainRecipe", "TrainResult", "check_no_leakage", "fit_network", "train_predictor"),
                    "tgnas.tg.train"),
    **dict.fromkeys(("LABEL_NORMALISATIONS", "LabelledGraphs", "load_source", "nb101_source", "nb201_source", "nb301_source",
                     "normalise_labels"), "tgnas.tg.sources"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tgnas.tg' has no attribute {name!r}")
