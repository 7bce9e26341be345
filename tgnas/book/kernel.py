"""The Jupyter kernel the chapters run on: ipykernel on the interpreter running tgnas.

A user-wide or system-wide "python3" kernelspec may point at another Python without tgnas (or
with other package versions); the book must run on exactly this environment, whatever kernel
name a notebook asks for. The kernel starts with :mod:`tgnas.book.kernel_setup`'s display settings.
"""

from __future__ import annotations

import sys

import zmq
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from tgnas.book.kernel_setup import EXEC_LINE

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
"""The kernelspec written into every converted notebook's metadata."""


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
