"""Benchmark data: loaders for the files in the data directory, importers, downloader."""

from tgnas.data.paths import ENV_VAR, MissingDataError, data_dir, data_file

__all__ = ["ENV_VAR", "MissingDataError", "data_dir", "data_file"]
