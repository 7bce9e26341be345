"""NAS-Bench-301 accuracies for DARTS genotypes from the YAHPO-Gym v2 surrogate (ONNX, CPU).

This is a *surrogate*, a neural network fitted to NB301's training runs, not ground truth: per
SOURCES.md its ranking agrees only moderately with really trained DARTS cells (Kendall τ ≈ 0.4
at epoch 98; absolute error ≈ 0.7 points, mostly a constant offset). Use it as a noisy labeller
and a rough evaluator of DARTS cells.

Model interface (data dir ``nb301/yahpo_nb301_v2/``): inputs ``x_cat`` int32 ``[B, 34]`` and
``x_cont`` float32 ``[B, 1]`` (the training epoch, raw, 1..98); output float32 ``[B, 4]`` =
val_accuracy (a fraction), val_cross_entropy, runtime (s), runtime_increase.

``x_cat`` columns, in this order (YAHPO's, not the alphabetical key order of encoding_v2.json):
``edge_normal_0..13``, ``edge_reduce_0..13``, ``inputs_node_normal_3..5``,
``inputs_node_reduce_3..5``. The 14 edges of a cell are every possible (input j → node k) edge,
node by node: edge ``off_k + j`` with ``off = 0, 2, 5, 9`` for k = 2..5. An edge holds the code of
its op if the genotype chooses it, else 0 (``#na#``, inactive). ``inputs_node_{cell}_k`` holds the
code of the node's two inputs written ascending (``"0_2"``); node 2 always reads ``0_1`` and has
no column. Codes are read from encoding_v2.json; its op names are the DARTS names, which `load`
checks. Only genotypes NB301 can represent are accepted: no ``none`` op and concat 2..5.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

from tgnas.data.integrity import (
    content_of,
    data_file_error,
    load_json,
    manifest_relative,
    read_manifest_file,
    verify_checksum,
)
from tgnas.data.paths import data_file
from tgnas.spaces.darts import (
    CELLS,
    DEFAULT_CONCAT,
    INTERMEDIATE_NODES,
    SAMPLED_OPS,
    DartsGenotype,
)
from tgnas.spaces.darts import parse as parse_genotype

MODEL_FILE = "nb301/yahpo_nb301_v2/model_v2.onnx"
ENCODING_FILE = "nb301/yahpo_nb301_v2/encoding_v2.json"
#: epoch range of the surrogate (the ``epoch`` hyperparameter of config_space_v2.json)
MIN_EPOCH, MAX_EPOCH = 1, 98
#: first edge column of intermediate node k within a cell's 14 edge columns
EDGE_OFFSET = {2: 0, 3: 2, 4: 5, 5: 9}
EDGES_PER_CELL = 14
N_COLUMNS = 2 * EDGES_PER_CELL + 2 * 3
VAL_ACCURACY_COLUMN, RUNTIME_COLUMN, N_OUTPUTS = 0, 2, 4
DEFAULT_BATCH_SIZE = 4096

_PREFIX = "NetworkSelectorDatasetInfo_COLON_darts_COLON_"
INACTIVE = "#na#"


def column_names() -> list[str]:
    """The 34 ``x_cat`` column names in model order (without the YAHPO key prefix)."""
    edges = [f"edge_{cell}_{i}" for cell in CELLS for i in range(EDGES_PER_CELL)]
    inputs = [f"inputs_node_{cell}_{k}" for cell in CELLS for k in INTERMEDIATE_NODES[1:]]
    return edges + inputs


def _input_pair_name(first: int, second: int) -> str:
    return f"{min(first, second)}_{max(first, second)}"


def _check_encoding(encoding: dict[str, dict[str, int]], source: str) -> list[dict[str, int]]:
    """Per model column, the category → code map; ValueError if the file does not fit NB301."""
    maps: list[dict[str, int]] = []
    for name in column_names():
        key = _PREFIX + name
        if key not in encoding:
            raise ValueError(f"{source} has no entry {key!r}; it is not the YAHPO nb301 v2 encoding")
        codes = encoding[key]
        if codes.get(INACTIVE) != 0:
            raise ValueError(f"{source}: {key} must code {INACTIVE!r} (inactive) as 0, got {codes.get(INACTIVE)!r}")
        if name.startswith("edge_"):
            wanted = list(SAMPLED_OPS)
        else:
            node = int(name.rsplit("_", 1)[1])
            wanted = [_input_pair_name(a, b) for a in range(node) for b in range(a + 1, node)]
        lacking = [value for value in wanted if value not in codes]
        if lacking:
            raise ValueError(f"{source}: {key} has no code for {lacking}; its categories are {sorted(codes)}")
        maps.append(dict(codes))
    return maps


def _as_genotype(item: object, position: int) -> DartsGenotype:
    if isinstance(item, DartsGenotype):
        genotype = item
    elif isinstance(item, str):
        genotype = parse_genotype(item)
    else:
        raise ValueError(f"item {position} is a {type(item).__name__}; expected a DartsGenotype or a genotype string")
    for cell in CELLS:
        ops = [op for op, _ in genotype.edges(cell)]
        if "none" in ops:
            raise ValueError(
                f"genotype {position} uses 'none' in its {cell} cell; NB301 cannot represent it (accepted ops: {', '.join(SAMPLED_OPS)})"
            )
        if genotype.concat(cell) != DEFAULT_CONCAT:
            raise ValueError(
                f"genotype {position} has {cell}_concat={list(genotype.concat(cell))}; NB301 only "
                f"represents cells that concatenate all intermediate nodes {list(DEFAULT_CONCAT)}"
            )
    return genotype


def _as_genotypes(genotypes: DartsGenotype | str | Iterable[DartsGenotype | str]) -> list[DartsGenotype]:
    items = [genotypes] if isinstance(genotypes, (DartsGenotype, str)) else list(genotypes)
    return [_as_genotype(item, position) for position, item in enumerate(items)]


def _check_epoch(epoch: object) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, Integral) or not MIN_EPOCH <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch {epoch!r} is outside the surrogate's range; accepted: an integer {MIN_EPOCH}..{MAX_EPOCH}")
    return int(epoch)


class NB301Surrogate:
    """YAHPO v2 NB301 surrogate: DARTS genotypes → predicted CIFAR-10 validation accuracy.

    A noisy labeller, not ground truth (module docstring). Build it with `load`; ``session`` is
    anything with onnxruntime's ``run(output_names, feeds)``.
    """

    def __init__(self, session: Any, encoding: dict[str, dict[str, int]], source: str = ENCODING_FILE) -> None:
        self._session = session
        self._codes = _check_encoding(encoding, source)

    @classmethod
    def load(cls, threads: int = 1) -> NB301Surrogate:
        """Open the model and its encoding from the data directory (onnxruntime, CPU provider)."""
        if isinstance(threads, bool) or not isinstance(threads, Integral) or threads < 1:
            raise ValueError(f"threads must be a positive integer, got {threads!r}")
        try:
            import onnxruntime  # onnxruntime: only when the surrogate is loaded
        except ImportError as error:
            raise ImportError("the NB301 surrogate needs onnxruntime (a tgnas dependency: pip install onnxruntime==1.32.0)") from error
        model_path = data_file(MODEL_FILE)
        verify_checksum(model_path, MODEL_FILE)
        encoding_path = data_file(ENCODING_FILE)
        encoding = read_manifest_file(ENCODING_FILE, _read_encoding)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            session = onnxruntime.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types for a bad model file
            raise data_file_error(
                model_path, f"is not a loadable ONNX model ({str(error).splitlines()[0][:200]})", manifest_relative(model_path)
            ) from None
        with content_of(model_path, manifest_relative(model_path)):
            _check_session(session, model_path)
        with content_of(encoding_path, manifest_relative(encoding_path)):
            return cls(session, encoding, source=str(encoding_path))

    def encode(self, genotypes: DartsGenotype | str | Iterable[DartsGenotype | str]) -> np.ndarray:
        """``x_cat`` for the model: int32 ``[B, 34]`` (column layout in the module docstring)."""
        batch = _as_genotypes(genotypes)
        x_cat = np.zeros((len(batch), N_COLUMNS), dtype=np.int32)
        for row, genotype in enumerate(batch):
            x_cat[row] = self._encode_one(genotype)
        return x_cat

    def _encode_one(self, genotype: DartsGenotype) -> list[int]:
        edge_codes: list[int] = []
        input_codes: list[int] = []
        for cell_index, cell in enumerate(CELLS):
            cell_edges = [0] * EDGES_PER_CELL
            edges = genotype.edges(cell)
            for node_index, node in enumerate(INTERMEDIATE_NODES):
                (op_a, source_a), (op_b, source_b) = edges[2 * node_index : 2 * node_index + 2]
                if source_a == source_b:  # the encoding has one column per (input, node) edge
                    raise ValueError(
                        f"{cell}-cell node {node} reads input {source_a} twice; the NB301 surrogate's "
                        "encoding cannot represent a node with a repeated input"
                    )
                for op, source in ((op_a, source_a), (op_b, source_b)):
                    column = EDGE_OFFSET[node] + source
                    cell_edges[column] = self._codes[cell_index * EDGES_PER_CELL + column][op]
                if node != INTERMEDIATE_NODES[0]:
                    column = 2 * EDGES_PER_CELL + cell_index * 3 + node_index - 1
                    input_codes.append(self._codes[column][_input_pair_name(source_a, source_b)])
            edge_codes.extend(cell_edges)
        return edge_codes + input_codes

    def _outputs(self, genotypes: DartsGenotype | str | Iterable[DartsGenotype | str], epoch: int, batch_size: int) -> np.ndarray:
        epoch = _check_epoch(epoch)
        if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        x_cat = self.encode(genotypes)
        outputs = np.empty((len(x_cat), N_OUTPUTS), dtype=np.float64)
        for start in range(0, len(x_cat), batch_size):
            chunk = x_cat[start : start + batch_size]
            x_cont = np.full((len(chunk), 1), epoch, dtype=np.float32)
            (result,) = self._session.run(None, {"x_cat": chunk, "x_cont": x_cont})
            outputs[start : start + len(chunk)] = result
        return outputs

    def predict(
        self,
        genotypes: DartsGenotype | str | Iterable[DartsGenotype | str],
        epoch: int = MAX_EPOCH,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> np.ndarray:
        """Predicted validation accuracy in PERCENT, float64 ``[B]`` (one genotype → shape ``[1]``)."""
        return self._outputs(genotypes, epoch, batch_size)[:, VAL_ACCURACY_COLUMN] * 100.0

    def predict_runtime(
        self,
        genotypes: DartsGenotype | str | Iterable[DartsGenotype | str],
        epoch: int = MAX_EPOCH,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> np.ndarray:
        """Predicted training runtime in seconds up to ``epoch``, float64 ``[B]``."""
        return self._outputs(genotypes, epoch, batch_size)[:, RUNTIME_COLUMN]


def _read_encoding(path: Path) -> dict[str, dict[str, int]]:
    """encoding_v2.json: each parameter → {category: code}; a bad file raises `DataFileError`."""
    encoding = load_json(path)
    if not isinstance(encoding, dict) or not all(isinstance(v, dict) for v in encoding.values()):
        raise data_file_error(path, "must map each parameter to a {category: code} object", manifest_relative(path))
    return encoding


def _check_session(session: Any, model_path: object) -> None:
    """Fail at load time, not at the first prediction, if the model's interface is not NB301 v2's."""
    inputs = {node.name: node.shape for node in session.get_inputs()}
    outputs = [node.shape for node in session.get_outputs()]
    expected = {"x_cat": N_COLUMNS, "x_cont": 1}
    for name, width in expected.items():
        if name not in inputs or inputs[name][-1] != width:
            raise ValueError(
                f"{model_path} is not the YAHPO nb301 v2 surrogate: expected inputs x_cat [B, {N_COLUMNS}] and x_cont [B, 1], got {inputs}"
            )
    if len(outputs) != 1 or outputs[0][-1] != N_OUTPUTS:
        raise ValueError(f"{model_path} is not the YAHPO nb301 v2 surrogate: expected one [B, {N_OUTPUTS}] output, got {outputs}")
