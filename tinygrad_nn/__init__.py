"""tinygrad_nn: a small autograd framework on numpy, with Graphviz pictures of the graph."""

from . import autograd, backend, data, nn, optim, random, reference, viz
from .autograd import (
    AnomalyError,
    Function,
    detect_anomaly,
    enable_grad,
    grad,
    gradcheck,
    gradgradcheck,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .capture import compile  # noqa: A004 - PyTorch's name, tg.compile
from .random import manual_seed
from .serialization import load, save
from .tensor import (
    Tensor,
    arange,
    cat,
    eye,
    float16,
    float32,
    float64,
    full,
    full_like,
    int32,
    int64,
    matmul,
    maximum,
    minimum,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    stack,
    tensor,
    uint8,
    where,
    zeros,
    zeros_like,
)
from .tensor import bool_ as bool  # noqa: A001 - PyTorch's name, tg.bool

__version__ = "0.1.0"

__all__ = [
    "AnomalyError", "Function", "Tensor", "arange", "autograd", "backend", "bool", "cat", "data",
    "compile",
    "detect_anomaly",
    "enable_grad", "eye", "float16", "float32", "float64", "full", "full_like", "grad",
    "gradcheck", "gradgradcheck", "int32", "int64", "is_anomaly_enabled", "is_grad_enabled",
    "load", "manual_seed", "matmul", "maximum", "minimum", "nn", "no_grad", "ones", "ones_like",
    "optim", "rand", "randint", "randn", "random", "reference", "save", "set_detect_anomaly",
    "set_grad_enabled", "stack", "tensor", "uint8", "viz", "where", "zeros", "zeros_like",
]  # fmt: skip
