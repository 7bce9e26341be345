"""DARTS evaluation networks and their trainer (paper §4.3, Table 5).

`tgnas.darts.model` builds the network of any genotype, `tgnas.darts.trainer` trains it with the
DARTS protocol (resumable, data-parallel under ``torchrun``), `tgnas.darts.cli` is ``tgnas darts-train``.
Submodules import torch; import them explicitly.
"""
