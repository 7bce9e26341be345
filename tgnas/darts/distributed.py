"""Data-parallel training under ``torchrun``: process group, device, and the collectives the trainer needs.

``torchrun --nproc-per-node N -m tgnas darts-train …`` sets ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK``; `init` then joins the group with NCCL when CUDA is available (one GPU per process,
chosen by ``LOCAL_RANK``) and gloo otherwise. Without those variables everything is a no-op on one
process, so the same code runs plainly. Only rank 0 writes logs, checkpoints and printed results.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
from torch import distributed as dist


@dataclass(frozen=True)
class Context:
    """Where this process stands: its rank, the number of processes and its device."""

    rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def init() -> Context:
    """Join the torchrun process group if launched by torchrun, else a single-process context."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    if world_size <= 1:
        return Context(device=torch.device("cuda" if cuda else "cpu"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if cuda:
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    return Context(rank=dist.get_rank(), world_size=dist.get_world_size(), device=device)


def shutdown(context: Context) -> None:
    if context.distributed and dist.is_initialized():
        dist.destroy_process_group()


def sum_over_ranks(context: Context, values: list[float]) -> list[float]:
    """Element-wise sum of ``values`` over all processes (identity on one process)."""
    if not context.distributed:
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64, device=context.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def gather_objects(context: Context, value: Any) -> list[Any]:
    """``value`` of every rank, in rank order, on every rank."""
    if not context.distributed:
        return [value]
    gathered: list[Any] = [None] * context.world_size
    dist.all_gather_object(gathered, value)
    return gathered


def broadcast_buffers(context: Context, module: torch.nn.Module) -> None:
    """Copy rank 0's buffers (BatchNorm running statistics) to every rank, so that evaluation and the
    checkpoint use one model: DDP syncs buffers only at the start of each forward pass."""
    if not context.distributed:
        return
    for buffer in module.buffers():
        dist.broadcast(buffer, src=0)


def barrier(context: Context) -> None:
    if context.distributed:
        dist.barrier()
