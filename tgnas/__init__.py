"""tgnas: reproducible companion to TG-NAS (Qiao, Xu, Huang 2024)."""

__version__ = "0.1.0"
