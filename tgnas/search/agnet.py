"""AG-Net-style generative query search on NB201 (Lukasik, Jung & Keuper, ECCV 2022), written from the paper.

AG-Net trains a graph generator and a surrogate on the few cells it has evaluated and, round after
round, retrains them with weights that favour the best cells, so that the generator learns *where
to look*. Our version keeps that loop and its published settings (`AGNetSettings` marks which are
AG-Net's and which are ours):

* **Generator** `CellGenerator`: a latent vector z ~ N(0, I) (32-d) → the 6 operator nodes of an
  NB201 cell, one after the other; for each node an *edge* logit (is the node present, i.e. is the
  edge's operator not ``none``) and *node-type* logits over the 4 other operators, conditioned on z
  and on the nodes already generated (so the generator can learn which operators go together).
  Decoding samples presence and type (stochastic generation, as in AG-Net), and every sample is a
  valid cell, so no generated graph is wasted on validity.
* **Training** (AG-Net): the generator is trained with a reconstruction loss between what it
  generates from *fresh* noise and evaluated cells drawn with **weighted retraining** weights
  1 / (k·N + rank), k = 0.01, rank 0 the best validation accuracy (Tripp et al., NeurIPS 2020); so
  it learns the distribution of the best cells, not a code per cell. Before the search it is
  pretrained the same way on uniformly random cells, i.e. it starts out generating the whole space.
* **Surrogate**: an MLP predicting validation accuracy from a generated cell, trained in the same
  steps with the joint loss (1 − α)·reconstruction + α·MSE, α = 0.9.
* **Rounds** (AG-Net): 16 generated first queries; then per round retrain for 30 passes over the
  evaluated cells, generate until 100 new feasible cells are found (at most 4,500 draws), and query
  the 16 the surrogate ranks highest.

Deviations, with reasons:

* AG-Net's generator is a GNN that adds nodes and edges to a growing graph. NB201's edge set is
  fixed, so ours is autoregressive over the 6 operator nodes with an MLP; its edge logit only says
  whether a node is present.
* AG-Net's surrogate reads the generator's scores; ours reads the sampled cell (its one-hot
  operators), so that it ranks the very cell that will be queried. The two parts then share no
  parameters, and α only balances their gradient steps.
* Latency (hardware-aware search) is read from HW-NAS-Bench, which is free, instead of predicted;
  infeasible cells are never generated into a query.
* When a round finds no new cell (a converged generator), it queries random unqueried cells so
  that the budget is always spent; ``fallback_rounds`` in the last trajectory entry counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tgnas.checks import check_int
from tgnas.search.oracle import BenchmarkOracle
from tgnas.search.query_baselines import sample_new_cells
from tgnas.search.result import SearchResult, progress_bar
from tgnas.spaces.base import as_rng
from tgnas.spaces.nb201 import EDGES, NB201_OPS, NB201Cell, NB201Space

#: operator types of a present node (``none`` is an absent node)
NODE_TYPES = tuple(op for op in NB201_OPS if op != "none")
SLOTS = len(EDGES)
#: one-hot size of a cell: every slot's operator, ``none`` included
ENCODING_SIZE = SLOTS * len(NB201_OPS)


@dataclass(frozen=True)
class AGNetSettings:
    """AG-Net's published settings (latent_dim, initial, batch, candidates, weight_factor, alpha,
    epochs, minibatch, max_draws) and ours (learning_rate, hidden, pretrain_*)."""

    latent_dim: int = 32
    initial: int = 16
    batch: int = 16
    candidates: int = 100
    weight_factor: float = 0.01
    alpha: float = 0.9
    epochs: int = 30
    minibatch: int = 16
    max_draws: int = 4_500
    learning_rate: float = 1e-3
    hidden: int = 64
    pretrain_cells: int = 4_096
    pretrain_epochs: int = 20

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.type == "int":
                check_int(f"AG-Net {item.name}", value, 1)
            elif not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"AG-Net {item.name} must be a positive number, got {value!r}")
        if self.alpha >= 1:
            raise ValueError(f"AG-Net alpha weighs the surrogate loss against reconstruction and must be < 1, got {self.alpha}")


def rank_weights(values: np.ndarray, weight_factor: float) -> np.ndarray:
    """Tripp et al.'s weights 1 / (k·N + rank), rank 0 for the highest value (ties: earlier first)."""
    order = np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")
    ranks = np.empty(len(order), dtype=np.float64)
    ranks[order] = np.arange(len(order))
    return 1.0 / (weight_factor * len(order) + ranks)


def encode(cells: list[NB201Cell]) -> np.ndarray:
    """[n, 6 × 5] one-hot operator of every slot (``none`` included), float32."""
    index = {op: i for i, op in enumerate(NB201_OPS)}
    codes = np.array([[index[op] for op in cell.ops] for cell in cells], dtype=np.int64).reshape(len(cells), SLOTS)
    onehot = np.zeros((len(cells), SLOTS, len(NB201_OPS)), dtype=np.float32)
    np.put_along_axis(onehot, codes[..., None], 1.0, axis=2)
    return onehot.reshape(len(cells), ENCODING_SIZE)


def _networks(settings: AGNetSettings):
    """The generator and the surrogate (torch modules, built lazily so that importing is cheap)."""

    class CellGenerator(nn.Module):
        """p(cell | z) = Π_slots p(present, type | z, earlier slots): per slot 1 edge + 4 node-type logits."""

        def __init__(self) -> None:
            super().__init__()
            width = settings.latent_dim + ENCODING_SIZE + SLOTS
            self.net = nn.Sequential(
                nn.Linear(width, settings.hidden),
                nn.ReLU(),
                nn.Linear(settings.hidden, settings.hidden),
                nn.ReLU(),
                nn.Linear(settings.hidden, 1 + len(NODE_TYPES)),
            )
            prefix = torch.tril(torch.ones(SLOTS, SLOTS), diagonal=-1)  # slot i sees slots < i
            self.register_buffer("prefix_mask", prefix.repeat_interleave(len(NB201_OPS), dim=1))
            self.register_buffer("slot_ids", torch.eye(SLOTS))

        def logits(self, z: torch.Tensor, cells: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            """Teacher-forced logits of every slot: edge [B, 6], node types [B, 6, 4]."""
            batch = z.shape[0]
            rows = torch.cat(
                [z.unsqueeze(1).expand(batch, SLOTS, -1), cells.unsqueeze(1) * self.prefix_mask, self.slot_ids.expand(batch, SLOTS, SLOTS)],
                dim=2,
            )
            out = self.net(rows)
            return out[..., 0], out[..., 1:]

        def sample(self, z: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
            """Cells generated slot by slot from z ([B, 30] one-hot)."""
            batch = z.shape[0]
            cells = torch.zeros(batch, ENCODING_SIZE)
            for slot in range(SLOTS):
                out = self.net(torch.cat([z, cells * self.prefix_mask[slot], self.slot_ids[slot].expand(batch, SLOTS)], 1))
                present = torch.bernoulli(torch.sigmoid(out[:, 0]), generator=generator).bool()
                kind = torch.multinomial(torch.softmax(out[:, 1:], dim=1), 1, generator=generator).squeeze(1)
                op = torch.where(present, kind + 1, torch.zeros_like(kind))  # NB201_OPS[0] is none
                cells[torch.arange(batch), slot * len(NB201_OPS) + op] = 1.0
            return cells

    surrogate = nn.Sequential(
        nn.Linear(ENCODING_SIZE, settings.hidden),
        nn.ReLU(),
        nn.Linear(settings.hidden, settings.hidden),
        nn.ReLU(),
        nn.Linear(settings.hidden, 1),
    )
    return CellGenerator(), surrogate


def reconstruction_loss(edge_logits, type_logits, cells):
    """Negative log-likelihood of ``cells`` (one-hot [B, 30]) under the generator's slot logits."""

    ops = cells.view(-1, SLOTS, len(NB201_OPS)).argmax(dim=2)
    present = ops > 0
    loss = F.binary_cross_entropy_with_logits(edge_logits, present.float())
    if present.any():
        loss = loss + F.cross_entropy(type_logits[present], ops[present] - 1)
    return loss


def decode(onehot: np.ndarray) -> list[NB201Cell]:
    codes = onehot.reshape(len(onehot), SLOTS, len(NB201_OPS)).argmax(axis=2)
    return [NB201Cell(tuple(NB201_OPS[c] for c in row)) for row in codes]  # type: ignore[arg-type]


class SearchPrior:
    """Zero-shot scores of every cell (the TG proxy's, for TG-warm search; higher = better).

    It supplies the first queries (the best-scored feasible cells), the generator's pretraining cells
    (drawn with rank weights 1 / (k·N + rank), k = ``weight_factor``) and the surrogate's pretraining
    targets (the scores, z-scored over the cells that have an input→output path; cells without one
    get the lowest of those)."""

    def __init__(self, cells: list[NB201Cell], scores: np.ndarray, weight_factor: float = 0.01) -> None:
        scores = np.asarray(scores, dtype=np.float64)
        if len(cells) != len(scores) or not np.isfinite(scores).any():
            raise ValueError("a search prior needs one score per cell, and some finite scores")
        finite = scores[np.isfinite(scores)]
        standard = (scores - finite.mean()) / (finite.std() or 1.0)
        self.cells = cells
        self.scores = np.where(np.isfinite(scores), standard, standard[np.isfinite(scores)].min())
        self.order = np.argsort(-scores, kind="stable")
        weights = rank_weights(scores, weight_factor)
        self.probabilities = weights / weights.sum()

    def draw(self, rng: np.random.Generator, count: int) -> list[NB201Cell]:
        return [self.cells[i] for i in rng.choice(len(self.cells), count, p=self.probabilities)]

    def uniform(self, rng: np.random.Generator, count: int) -> tuple[list[NB201Cell], np.ndarray]:
        rows = rng.choice(len(self.cells), count)
        return [self.cells[i] for i in rows], self.scores[rows]

    def best_unqueried(self, oracle: BenchmarkOracle, count: int) -> list[NB201Cell]:
        chosen: list[NB201Cell] = []
        for start in range(0, len(self.order), 1024):
            rows = self.order[start : start + 1024]
            block = [self.cells[i] for i in rows]
            chosen += [c for c, ok in zip(block, oracle.feasible(block)) if ok and not oracle.seen(c)]
            if len(chosen) >= count:
                break
        return chosen[:count]


class AGNetSearch:
    """One AG-Net-style search run (see the module docstring); `run` spends the oracle's budget."""

    def __init__(self, oracle: BenchmarkOracle, seed: int | None, settings: AGNetSettings, prior: SearchPrior | None = None) -> None:

        self.oracle, self.settings, self.prior = oracle, settings, prior
        self.rng = as_rng(seed)
        self.space = NB201Space()
        self.torch_rng = torch.Generator().manual_seed(int(self.rng.integers(2**31)))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(self.rng.integers(2**31)))
            self.generator, self.surrogate = _networks(settings)
        self.optimiser = torch.optim.Adam([*self.generator.parameters(), *self.surrogate.parameters()], lr=settings.learning_rate)
        self.cells: list[NB201Cell] = []
        self.fallback_rounds = 0

    def _noise(self, count: int):

        return torch.randn(count, self.settings.latent_dim, generator=self.torch_rng)

    def pretrain(self) -> None:
        """Fit the generator to uniformly random cells, so that before any query it generates the whole
        space; with a prior, to cells drawn by the prior's rank weights, and the surrogate to the prior."""

        if self.prior is None:
            sample = [self.space.sample(self.rng) for _ in range(self.settings.pretrain_cells)]
        else:
            sample = self.prior.draw(self.rng, self.settings.pretrain_cells)
            surrogate_cells, prior_scores = self.prior.uniform(self.rng, self.settings.pretrain_cells)
            surrogate_x = torch.from_numpy(encode(surrogate_cells))
            surrogate_y = torch.from_numpy(prior_scores.astype(np.float32))
        cells = torch.from_numpy(encode(sample))
        parameters = [*self.generator.parameters(), *(self.surrogate.parameters() if self.prior else ())]
        optimiser = torch.optim.Adam(parameters, lr=self.settings.learning_rate)
        for _ in range(self.settings.pretrain_epochs):
            order = torch.randperm(len(cells), generator=self.torch_rng)
            for start in range(0, len(cells), 128):
                batch = order[start : start + 128]
                loss = reconstruction_loss(*self.generator.logits(self._noise(len(batch)), cells[batch]), cells[batch])
                if self.prior is not None:
                    loss = loss + torch.mean((self.surrogate(surrogate_x[batch]).squeeze(1) - surrogate_y[batch]) ** 2)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()

    def retrain(self) -> None:
        """Weighted retraining of generator and surrogate on the evaluated cells (module docstring)."""

        values = np.array([self.oracle.query(cell) for cell in self.cells])  # answered from the cache
        weights = rank_weights(values, self.settings.weight_factor)
        spread = values.std() or 1.0
        targets = torch.from_numpy(((values - values.mean()) / spread).astype(np.float32))
        cells = torch.from_numpy(encode(self.cells))
        alpha = self.settings.alpha
        for _ in range(self.settings.epochs * math.ceil(len(self.cells) / self.settings.minibatch)):
            batch = torch.from_numpy(self.rng.choice(len(self.cells), self.settings.minibatch, p=weights / weights.sum()))
            edge_logits, type_logits = self.generator.logits(self._noise(len(batch)), cells[batch])
            predicted = self.surrogate(cells[batch]).squeeze(1)
            loss = (1 - alpha) * reconstruction_loss(edge_logits, type_logits, cells[batch]) + alpha * torch.mean(
                (predicted - targets[batch]) ** 2
            )
            self.optimiser.zero_grad()
            loss.backward()
            self.optimiser.step()

    def generate(self, count: int) -> list[NB201Cell]:
        """Up to ``count`` new (unqueried, feasible, distinct) generated cells."""

        found: dict[str, NB201Cell] = {}
        drawn = 0
        with torch.no_grad():
            while len(found) < count and drawn < self.settings.max_draws:
                cells = decode(self.generator.sample(self._noise(100), self.torch_rng).numpy())
                drawn += 100
                for cell, ok in zip(cells, self.oracle.feasible(cells)):
                    key = str(cell)
                    if ok and key not in found and not self.oracle.seen(key):
                        found[key] = cell
        chosen = list(found.values())
        if len(chosen) > count:
            chosen = [chosen[i] for i in sorted(self.rng.permutation(len(chosen))[:count])]
        return chosen

    def predict(self, cells: list[NB201Cell]) -> np.ndarray:

        with torch.no_grad():
            return self.surrogate(torch.from_numpy(encode(cells))).squeeze(1).numpy()

    def _query(self, cells: list[NB201Cell]) -> None:
        for cell in cells[: self.oracle.remaining]:
            self.oracle.query(cell)
            self.cells.append(cell)

    def _new_cells(self, count: int) -> list[NB201Cell]:
        """``count`` generated cells, topped up with random ones (a fallback round) if too few are new."""
        cells = self.generate(count)
        if len(cells) < count:
            self.fallback_rounds += 1
            cells += sample_new_cells(self.oracle, self.space, self.rng, count - len(cells), exclude={str(c) for c in cells})
        return cells

    def run(self, progress: bool = False) -> None:
        self.pretrain()
        with progress_bar(self.oracle.budget, "AG-Net search (queries)", progress) as bar:
            first = min(self.settings.initial, self.oracle.remaining)
            self._query(self.prior.best_unqueried(self.oracle, first) if self.prior else self._new_cells(first))
            bar.update(self.oracle.queries)
            while self.oracle.remaining > 0:
                before = self.oracle.queries
                self.retrain()
                candidates = self._new_cells(max(self.settings.candidates, self.settings.batch))
                if not candidates:
                    break
                best = np.argsort(-self.predict(candidates), kind="stable")[: self.settings.batch]
                self._query([candidates[i] for i in best])
                bar.update(self.oracle.queries - before)

    def result(self, method: str, seed: int | None, evaluations: int = 0) -> SearchResult:
        """The oracle's result, with the number of fallback rounds in the last trajectory entry."""
        result = self.oracle.result(method, seed, evaluations=evaluations)
        result.trajectory[-1]["fallback_rounds"] = self.fallback_rounds
        return result


def agnet_search(
    oracle: BenchmarkOracle, seed: int | None = 0, settings: AGNetSettings | None = None, progress: bool = False
) -> SearchResult:
    """Run the AG-Net-style search until the oracle's budget is spent (module docstring)."""
    run = AGNetSearch(oracle, seed, settings or AGNetSettings())
    run.run(progress)
    return run.result("agnet", seed)
