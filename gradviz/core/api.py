"""The core's public surface, re-exported by ``gradviz`` under torch's names."""

from __future__ import annotations

from gradviz.core.dtypes import (  # noqa: F401
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
from gradviz.core.engine import backward, grad  # noqa: F401
from gradviz.core.factories import (  # noqa: F401
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
from gradviz.core.functional import log_softmax, softmax  # noqa: F401
from gradviz.core.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from gradviz.core.linalg_ops import bmm, dot, matmul, mm, mv, outer  # noqa: F401
from gradviz.core.masked_ops import masked_fill  # noqa: F401
from gradviz.core.math_ops import (  # noqa: F401
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
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    where,
)
from gradviz.core.more_ops import amax, amin, cumsum, flip, logsumexp, narrow  # noqa: F401
from gradviz.core.printing import get_printoptions, set_printoptions  # noqa: F401
from gradviz.core.random_factories import (  # noqa: F401
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
from gradviz.core.random_sampling import multinomial  # noqa: F401
from gradviz.core.reduction_ops import max, mean, min, norm, std, sum, var  # noqa: F401
from gradviz.core.shape_ops import (  # noqa: F401
    cat,
    clone,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
from gradviz.core.shape_ops import t_ as t  # noqa: F401
from gradviz.core.tensor import Size, Tensor, device  # noqa: F401

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
