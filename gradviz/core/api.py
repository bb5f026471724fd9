"""The core's public surface, re-exported by ``gradviz`` under torch's names."""

from __future__ import annotations

from gradviz.core import cuda  # noqa: F401
from gradviz.core.autograd.engine import backward, grad  # noqa: F401
from gradviz.core.autograd.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from gradviz.core.functions.indexing import select  # noqa: F401
from gradviz.core.functions.linalg import bmm, dot, matmul, mm, mv, outer  # noqa: F401
from gradviz.core.functions.masked import masked_fill  # noqa: F401
from gradviz.core.functions.nn_functional import log_softmax, softmax  # noqa: F401
from gradviz.core.functions.pointwise import (  # noqa: F401
    abs,
    acos,
    add,
    arccos,
    arcsin,
    arctan,
    asin,
    atan,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    cosh,
    div,
    divide,
    exp,
    expm1,
    floor,
    floor_divide,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    multiply,
    neg,
    negative,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    rsub,
    sgn,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    where,
)
from gradviz.core.functions.random import (  # noqa: F401
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from gradviz.core.functions.random_sampling import multinomial  # noqa: F401
from gradviz.core.functions.reductions import (  # noqa: F401  # noqa: F401
    all,
    amax,
    amin,
    any,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    std,
    sum,
    var,
)
from gradviz.core.functions.shape import (  # noqa: F401  # noqa: F401
    cat,
    clone,
    expand,
    flatten,
    flip,
    narrow,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
from gradviz.core.functions.shape import t_ as t  # noqa: F401
from gradviz.core.tensors.dtypes import (  # noqa: F401
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from gradviz.core.tensors.factories import (  # noqa: F401
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    linspace,
    ones,
    ones_like,
    set_default_dtype,
    tensor,
    zeros,
    zeros_like,
)
from gradviz.core.tensors.printing import get_printoptions, set_printoptions  # noqa: F401
from gradviz.core.tensors.tensor import Size, Tensor, device  # noqa: F401

concat = concatenate = cat


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input.numel()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return input.allclose(other, rtol, atol, equal_nan)


def equal(input, other) -> bool:
    return input.equal(other)


def argmax(input, dim=None, keepdim=False):
    return input.argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return input.argmin(dim, keepdim)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def is_inference(input) -> bool:
    return input.is_inference()


__all__ = ["Generator", "Size", "Tensor", "abs", "acos", "add", "all", "allclose", "amax",
           "amin", "any", "arange", "arccos", "arcsin", "arctan", "argmax", "argmin",
           "as_tensor", "asin",
           "atan", "backward", "bernoulli", "bmm", "bool", "cat", "ceil", "clamp", "clamp_max",
           "clamp_min", "clip", "clone", "concat", "concatenate", "cos", "cosh", "cumsum",
           "default_generator", "device", "div", "divide", "dot", "double", "dtype", "empty",
           "empty_like", "enable_grad", "equal", "exp", "expand", "expm1", "eye", "flatten",
           "flip", "float", "float16", "float32", "float64", "floor", "floor_divide",
           "from_numpy", "full", "full_like", "get_default_dtype", "get_printoptions",
           "get_rng_state", "grad", "half", "inference_mode", "initial_seed", "int", "int16",
           "int32", "int64", "int8", "is_floating_point", "is_grad_enabled", "is_inference",
           "is_tensor",
           "linspace", "log", "log1p", "log_softmax", "logsumexp", "long", "manual_seed",
           "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul",
           "multinomial", "multiply", "mv", "narrow", "neg", "negative", "no_grad", "norm",
           "normal", "numel", "ones", "ones_like", "outer", "permute", "pow", "rand", "rand_like",
           "randint", "randint_like", "randn", "randn_like", "randperm", "reciprocal", "relu",
           "remainder", "reshape", "round", "rsqrt", "rsub", "seed", "select",
           "set_default_dtype",
           "set_grad_enabled", "set_printoptions", "set_rng_state", "sgn", "short", "sigmoid",
           "sign", "sin", "sinh", "softmax", "sqrt", "square", "squeeze", "stack", "std", "sub",
           "subtract",
           "sum", "t", "tan", "tanh", "tensor", "transpose", "true_divide", "uint8", "unsqueeze",
           "var", "view", "where", "zeros", "zeros_like"]
