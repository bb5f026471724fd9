"""torch's functions for the tensor ops beyond arithmetic (``torch.prod``, ``torch.tril``,
``torch.gather``, ``torch.sort``, ``torch.isnan``, ``torch.eq``, ``torch.var_mean``...),
re-exported by ``gradviz``."""

from __future__ import annotations

from gradviz.core.functions.activations import celu, celu_, selu, selu_
from gradviz.core.functions.distances import cdist
from gradviz.core.functions.matrices import diag, diagonal, trace, tril, triu
from gradviz.core.functions.paired_reductions import aminmax, std_mean, var_mean
from gradviz.core.functions.products import cumprod, prod
from gradviz.core.functions.repetition import broadcast_to, roll, tile
from gradviz.core.functions.selection import (
    argsort,
    gather,
    index_add,
    index_select,
    scatter,
    scatter_add,
    sort,
    topk,
    unique,
)
from gradviz.core.functions.special import (
    addcdiv,
    addcmul,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    erf,
    exp2,
    ge,
    greater,
    greater_equal,
    gt,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    less,
    less_equal,
    log2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    nan_to_num,
    ne,
    not_equal,
)
from gradviz.core.functions.splitting import chunk, split, tensor_split, unbind

__all__ = ["addcdiv", "addcmul", "argsort", "chunk", "split", "unbind", "bitwise_and",
           "bitwise_not", "bitwise_or",
           "bitwise_xor",
           "broadcast_to", "cumprod", "diag", "diagonal", "eq", "erf", "gather", "ge", "greater",
           "greater_equal", "gt", "index_select", "isfinite", "isinf", "isnan", "le", "lerp",
           "less", "less_equal", "log2", "logical_and", "logical_not", "logical_or",
           "logical_xor", "lt", "nan_to_num", "ne", "not_equal", "prod", "roll", "scatter",
           "scatter_add", "sort", "tile", "topk", "trace", "tril", "triu", "unique",
           "aminmax", "cdist", "celu", "celu_", "selu", "selu_", "exp2", "index_add", "std_mean",
           "tensor_split", "var_mean"]
