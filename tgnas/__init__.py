"""tgnas: reproducible companion to TG-NAS (Qiao, Xu, Huang 2024)."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `from tgnas import TGProxy` without importing torch on a bare `import tgnas`
    if name == "TGProxy":
        from tgnas.tg.proxy import TGProxy

        return TGProxy
    raise AttributeError(f"module 'tgnas' has no attribute {name!r}")
