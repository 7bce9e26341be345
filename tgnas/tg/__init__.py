"""Training the TG predictor: labelled sources (`sources`) and the leakage-checked loop (`loop`)."""

from tgnas.tg.train import LOSSES, LeakageError, TrainRecipe, TrainResult, check_no_leakage, fit_network, train_predictor
from tgnas.tg.sources import (
    LABEL_NORMALISATIONS,
    LabelledGraphs,
    nb101_source,
    load_source,
    nb201_source,
    nb301_source,
    normalise_labels,
)

__all__ = [
    "LABEL_NORMALISATIONS",
    "LOSSES",
    "LabelledGraphs",
    "LeakageError",
    "TrainRecipe",
    "TrainResult",
    "check_no_leakage",
    "fit_network",
    "nb101_source",
    "load_source",
    "nb201_source",
    "nb301_source",
    "normalise_labels",
    "train_predictor",
]
