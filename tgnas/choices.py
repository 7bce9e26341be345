"""Names that the command line and the library share, in a module that imports nothing.

The parser of ``tgnas`` is built on every call (``tgnas --help`` included), so the lists it shows
live here rather than in the packages that implement them, whose imports pull in pandas or torch.
Space names are the `tgnas.spaces` registry's own (``spaces.NAMES``), which is cheap to import.
"""

from __future__ import annotations

#: proxy-guided searches (`tgnas.search.search`)
SEARCH_METHODS = ("hybrid", "pruning", "evolution", "random", "re", "exhaustive")
#: searches that spend benchmark queries (`tgnas.search.query_search`)
QUERY_METHODS = ("agnet", "tg-warm", "random", "re")
#: query searches without a proxy-guided form: they always spend queries
ALWAYS_QUERYING = tuple(method for method in QUERY_METHODS if method not in SEARCH_METHODS)
#: every value of ``tgnas search --method``
ALL_SEARCH_METHODS = tuple(dict.fromkeys(SEARCH_METHODS + QUERY_METHODS))
#: spaces with a shipped TG proxy, ``tgnas/weights/<space>.pt`` (`tgnas.tg.proxy.TGProxy.load`)
SHIPPED_PROXIES = ("nb201", "darts")
#: earlier releases of the shipped proxies, kept for comparison, ``tgnas/weights/<release>/<space>.pt``
PROXY_RELEASES = ("v1",)
#: names a file to which `tgnas.tg.proxy.TGProxy.load` appends each shipped weights file it reads
#: (relative to ``tgnas/weights``); the book runner sets it so a chapter's run records what it loaded
LOADED_WEIGHTS_LOG = "TGNAS_LOADED_WEIGHTS_LOG"
#: datasets of the DARTS evaluation protocol (`tgnas.darts.trainer`)
DARTS_DATASETS = ("cifar10", "imagenet")
