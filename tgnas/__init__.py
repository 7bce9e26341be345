"""tgnas: reproducible companion to TG-NAS (Qiao, Xu, Huang 2024)."""

from importlib.metadata import version

__version__ = version("tgnas")  # the one version number is pyproject.toml's


def __getattr__(name: str):
    # `from tgnas import TGProxy` without importing torch on a bare `import tgnas`
    if name == "TGProxy":
        from tgnas.tg.proxy import TGProxy  # torch: a bare `import tgnas` stays cheap

        return TGProxy
    raise AttributeError(f"module 'tgnas' has no attribute {name!r}")
