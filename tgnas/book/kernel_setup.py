"""Display settings every chapter kernel starts with (run by the kernel before the first cell).

Pages show tables whole: pandas would otherwise cut long text (Table 1's sentences, cell strings)
to 50 characters and drop middle columns; the book's CSS lets a wide table scroll inside itself.
The one warning filtered is tqdm's notice that ipywidgets is absent: the book shows no widgets
and renders progress bars nowhere (the runner takes stderr off the pages).
"""

from __future__ import annotations

import warnings


def configure_kernel() -> None:
    import pandas as pd  # the kernel imports it anyway for the chapters' tables
    from tqdm import TqdmWarning

    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.width", None)
    warnings.filterwarnings("ignore", message="IProgress not found", category=TqdmWarning)


#: the kernel's start-up line (IPython ``exec_lines``); it leaves no name behind in the chapter's namespace
EXEC_LINE = "__import__('tgnas.book.kernel_setup', fromlist=['configure_kernel']).configure_kernel()"
