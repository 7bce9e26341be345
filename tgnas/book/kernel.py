"""The Jupyter kernel the chapters run on: ipykernel on the interpreter running tgnas.

A user-wide or system-wide "python3" kernelspec may point at another Python without tgnas (or
with other package versions); the book must run on exactly this environment, whatever kernel
name a notebook asks for. The kernel starts with :mod:`tgnas.book.kernel_setup`'s display settings.

What the kernel process itself writes outside any cell (start-up failures, its shutdown) would
otherwise go to the terminal running the book, mixed into the one-line verdicts of ``tgnas book
run``: inside :func:`kernel_output_to` it goes to a log file instead (:func:`last_words` reads it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from tgnas.book.kernel_setup import EXEC_LINE

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
"""The kernelspec written into every converted notebook's metadata."""

_process_log: ContextVar[Path | None] = ContextVar("kernel_process_log", default=None)


@contextmanager
def kernel_output_to(log: Path) -> Iterator[Path]:
    """Send the stdout and stderr of every kernel process started inside this block to ``log``
    (appended). Cell outputs are unaffected: they reach the notebook through the kernel's channels."""
    token = _process_log.set(Path(log))
    try:
        yield Path(log)
    finally:
        _process_log.reset(token)


def last_words(log: Path) -> str | None:
    """The last non-blank line a kernel process wrote to ``log``, or None when it wrote nothing."""
    if not Path(log).exists():
        return None
    lines = [line.strip() for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines()]
    return next((line for line in reversed(lines) if line), None)


class _ThisInterpreterKernelSpecs(KernelSpecManager):
    """Resolves every kernel name to ipykernel on ``sys.executable``."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", f"--IPKernelApp.exec_lines={EXEC_LINE}"],
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (tgnas)",
            language="python",
            resource_dir="",
            # Figures must reach the notebook: an MPLBACKEND=Agg inherited from a CI shell would make
            # plt.show() a silent no-op and leave every chapter without its plots.
            # TQDM_DISABLE turns off the bars of libraries that leave tqdm's `disable` at its default.
            env={"MPLBACKEND": "module://matplotlib_inline.backend_inline", "TQDM_DISABLE": "1"},
            # ipykernel supports CurveZMQ; declaring it lets jupyter_client encrypt the local TCP channels.
            metadata={"supported_encryption": ["curve"]},
        )


class ThisInterpreterKernelManager(AsyncKernelManager):
    """Kernel manager (for papermill's ``kernel_manager_class``) that starts kernels on this interpreter."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self) -> KernelSpecManager:
        return _ThisInterpreterKernelSpecs(data_dir=self.data_dir)

    @default("transport_encryption")
    def _default_transport_encryption(self) -> str:
        # Without CurveZMQ keys ipykernel warns on every start that its TCP channels are plain text.
        return "auto" if zmq.has("curve") else "disabled"

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        log = _process_log.get()
        if log is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        # the child keeps its own descriptor; ours can close once it is started
        with log.open("ab") as stream:
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": stream, "stderr": stream})
