"""Operator names → short / medium / long English descriptions (paper §3.2, Table 1).

The embedder reads sentences, not names. Rather than a hand-written table per space, one
rule-based describer parses the name into attributes (kind, kernel size, dilation, expansion,
normalisation/activation order) and writes the three sentences from them. That makes a new space
with new operators work without code changes, and it makes operators that *are* the same under
different names read the same: NB101's ``conv3x3-bn-relu`` and NB201's ``nor_conv_3x3`` both
become "3x3 convolution", which is what lets a predictor trained on one space transfer to the other.

Lengths (the paper's three, with our wording since the paper's Table 1 text is not reproduced):

* ``short``: a noun phrase, e.g. "3x3 separable convolution";
* ``medium``: one sentence with the order of normalisation and activation;
* ``long``: two or three sentences adding what the operator does to the feature map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LENGTHS = ("short", "medium", "long")

_KIND_WORDS = {
    "input": "input",
    "output": "output",
    "concat": "concat",
    "concatenate": "concat",
    "none": "zero",
    "zero": "zero",
    "zeroize": "zero",
    "skip": "identity",
    "identity": "identity",
    "id": "identity",
    "mbconv": "mbconv",
    "fc": "linear",
    "linear": "linear",
    "dense": "linear",
}


@dataclass(frozen=True)
class OperatorTraits:
    """What a name says about an operator; ``None`` where it says nothing."""

    name: str
    kind: str  # input, output, concat, zero, identity, conv, sep_conv, dil_conv, dw_conv, mbconv, pool, linear, resblock, graph, unknown
    kernel: int | None = None
    dilation: int | None = None
    expansion: int | None = None
    pool: str | None = None  # "max" or "average"
    order: str | None = None  # "conv-bn-relu" or "relu-conv-bn"
    widen: bool = False  # resblock: doubles the channels
    stride: int | None = None  # resblock: spatial stride
    graph_op: str | None = None  # graph: which message-passing layer (a key of _GRAPH_LAYERS)


#: message-passing layers of graph neural networks (NAS-Bench-Graph's operators): name → (noun phrase, what it does)
_GRAPH_LAYERS = {
    "gcn": ("graph convolution", "It averages each node's neighbours with degree normalisation and applies a learned linear map."),
    "gat": ("graph attention layer", "It weights each neighbour by a learned attention score before summing their features."),
    "gin": ("graph isomorphism network layer", "It sums the neighbours' features and passes them through a small multilayer perceptron."),
    "cheb": ("Chebyshev spectral graph convolution", "It filters node features with Chebyshev polynomials of the graph Laplacian."),
    "sage": ("GraphSAGE neighbourhood aggregation", "It concatenates each node's features with the mean of its neighbours' features."),
    "arma": ("ARMA graph convolution", "It applies a recursive auto-regressive moving-average filter over the graph."),
    "graph": (
        "higher-order k-GNN graph convolution",
        "It sums the neighbours' features with a separate learned weight for the node itself.",
    ),
}


def _tokens(name: str) -> list[str]:
    """Lower-case tokens; glued forms such as ``conv3x3`` or ``maxpool3x3`` are split apart."""
    text = name.lower()
    text = re.sub(r"(\d+x\d+)", r" \1 ", text)
    text = re.sub(r"(maxpool|avgpool|sepconv|dilconv|dwconv)", lambda m: m.group(1)[:-4] + " " + m.group(1)[-4:], text)
    return [token for token in re.split(r"[\s_\-.,/]+", text) if token]


def parse_operator(name: str) -> OperatorTraits:
    """Attributes of an operator name; an empty or non-string name is a ValueError."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"an operator name must be a non-empty string, got {name!r}")
    tokens = _tokens(name)
    kernel = dilation = expansion = None
    for token in tokens:
        if (match := re.fullmatch(r"(\d+)x(\d+)", token)) or (match := re.fullmatch(r"k(\d+)", token)):
            kernel = int(match.group(1))
        elif match := re.fullmatch(r"e(\d+)", token):
            expansion = int(match.group(1))
        elif match := re.fullmatch(r"d(\d+)", token):
            dilation = int(match.group(1))
    words = set(tokens)
    if len(tokens) == 1 and tokens[0] in _GRAPH_LAYERS:
        return OperatorTraits(name=name, kind="graph", graph_op=tokens[0])
    if words & {"resblock", "residual"}:
        stride = next((int(match.group(1)) for token in tokens if (match := re.fullmatch(r"stride(\d+)", token))), 1)
        return OperatorTraits(name=name, kind="resblock", widen=bool(words & {"widen", "wide"}), stride=stride)
    kind = next((_KIND_WORDS[token] for token in tokens if token in _KIND_WORDS), None)
    if "skip" in words and "connect" in words:
        kind = "identity"
    pool = "max" if "max" in words else "average" if words & {"avg", "average", "mean"} else None
    if kind is None:
        if "pool" in words or "pooling" in words:
            kind = "pool"
        elif words & {"conv", "convolution"}:
            if words & {"sep", "separable"}:
                kind = "sep_conv"
            elif words & {"dil", "dilated", "atrous"}:
                kind = "dil_conv"
                dilation = dilation or 2  # the DARTS convention for dil_conv_*
            elif words & {"dw", "depthwise"}:
                kind = "dw_conv"
            else:
                kind = "conv"
        else:
            kind = "unknown"
    if kind == "pool" and pool is None:
        pool = "max"
    order = None
    if kind in ("conv", "sep_conv", "dil_conv", "dw_conv"):
        # NB201's "nor_" and the DARTS convolutions are ReLU first; otherwise the name's own order decides
        # ("relu_conv3x3_bn" vs NB101's "conv3x3-bn-relu")
        relu_first = "relu" in words and tokens.index("relu") < next(i for i, t in enumerate(tokens) if t in ("conv", "convolution"))
        order = "relu-conv-bn" if ("nor" in words or kind != "conv" or relu_first) else "conv-bn-relu"
    return OperatorTraits(name=name, kind=kind, kernel=kernel, dilation=dilation, expansion=expansion, pool=pool, order=order)


def _size(traits: OperatorTraits) -> str:
    return f"{traits.kernel}x{traits.kernel} " if traits.kernel else ""


_CONV_NOUNS = {
    "conv": "convolution",
    "sep_conv": "separable convolution",
    "dil_conv": "dilated convolution",
    "dw_conv": "depthwise convolution",
}


def _short(t: OperatorTraits) -> str:
    if t.kind in _CONV_NOUNS:
        dilation = f" with dilation {t.dilation}" if t.kind == "dil_conv" and t.dilation else ""
        return f"{_size(t)}{_CONV_NOUNS[t.kind]}{dilation}"
    if t.kind == "pool":
        return f"{_size(t)}{t.pool} pooling"
    if t.kind == "resblock":
        changes = [*(["doubled channels"] if t.widen else []), *([f"stride {t.stride}"] if t.stride and t.stride > 1 else [])]
        return "residual block" + (f" with {' and '.join(changes)}" if changes else "")
    if t.kind == "graph":
        return _GRAPH_LAYERS[t.graph_op][0]
    if t.kind == "mbconv":
        expansion = f" with expansion ratio {t.expansion}" if t.expansion else ""
        return f"{_size(t)}inverted residual convolution block{expansion}"
    fixed = {
        "input": "input",
        "output": "output",
        "concat": "concatenation",
        "zero": "zero",
        "identity": "identity",
        "linear": "fully connected layer",
    }
    if t.kind in fixed:
        return fixed[t.kind]
    return " ".join(_tokens(t.name))


def _medium(t: OperatorTraits) -> str:
    short = _short(t)
    if t.kind in _CONV_NOUNS:
        if t.order == "conv-bn-relu":
            return f"A {short} followed by batch normalization and a ReLU activation."
        return f"A ReLU activation followed by a {short} and batch normalization."
    if t.kind == "resblock":
        width = "doubles the number of channels" if t.widen else "keeps the number of channels"
        size = f"halves the resolution with stride {t.stride}" if t.stride and t.stride > 1 else "keeps the resolution"
        return f"A stage of two residual basic blocks of 3x3 convolutions that {width} and {size}."
    sentences = {
        "graph": f"{'An' if short[0] in 'AEIOU' else 'A'} {short} that passes messages between neighbouring nodes of the input graph.",
        "pool": f"A {short} over the feature map with stride one.",
        "mbconv": f"A {short}: pointwise expansion, depthwise convolution and pointwise projection.",
        "input": "The input feature map of the cell.",
        "output": "The output of the cell, the sum or concatenation of its incoming feature maps.",
        "concat": "A concatenation of several feature maps along the channel dimension.",
        "zero": "A zero operation that outputs zeros and cuts the connection.",
        "identity": "An identity skip connection that passes the feature map through unchanged.",
        "linear": "A fully connected layer that multiplies the features by a learned weight matrix.",
    }
    return sentences.get(t.kind, f"An operation called {short}.")


def _long(t: OperatorTraits) -> str:
    medium = _medium(t)
    extra = {
        "conv": "It mixes all channels over a local neighbourhood and has many learnable parameters.",
        "sep_conv": "It applies a depthwise convolution per channel and then a pointwise convolution, "
        "which needs far fewer parameters than a full convolution.",
        "dil_conv": "Gaps between the kernel taps enlarge the receptive field without adding parameters.",
        "dw_conv": "Each channel is filtered on its own, so the operation is cheap and does not mix channels.",
        "mbconv": "It is the building block of mobile networks and keeps a residual connection.",
        "pool": "It has no learnable parameters and summarises each local neighbourhood.",
        "input": "It feeds the first operations of the cell.",
        "output": "It is what the next cell receives.",
        "concat": "It keeps every incoming feature map and increases the number of channels.",
        "zero": "It has no parameters and removes the edge from the network.",
        "identity": "It has no parameters and lets gradients flow directly.",
        "linear": "It has no spatial structure and is used for classification.",
        "resblock": "Each block adds its input back to its output, so gradients flow through the shortcut.",
    }
    if t.kind == "graph":
        return f"{medium} {_GRAPH_LAYERS[t.graph_op][1]}"
    if t.kind in extra:
        return f"{medium} {extra[t.kind]}"
    return f"{medium} Its behaviour is known only from its name."


def describe(name: str, length: str = "short") -> str:
    """The ``length`` description (``short``, ``medium`` or ``long``) of operator ``name``."""
    if length not in LENGTHS:
        raise ValueError(f"unknown description length {length!r}; accepted: {', '.join(LENGTHS)}")
    traits = parse_operator(name)
    return {"short": _short, "medium": _medium, "long": _long}[length](traits)
