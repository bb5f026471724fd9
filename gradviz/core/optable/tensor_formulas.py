"""The names backward formulas may use, on Tensors: what they are compiled against under
``create_graph=True``, so that the gradient is itself recorded and can be differentiated
again. Each function here is the Tensor version of the array one of the same name in
``helpers``, ``derivatives`` or ``nn_helpers`` (a derivative torch computes with an op of
its own records that op's row, found by name in the op table); the functions those
modules write only in terms of other formula names are theirs, rebound to the names here.
"""

from __future__ import annotations

import math
import types

import numpy as np

from gradviz.core.autograd.custom_function import Function
from gradviz.core.autograd.formulas import sum_to  # noqa: F401 - a formula name
from gradviz.core.autograd.function import ROWS
from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import (
    conv_helpers,
    derivatives,
    helpers,
    matrix_helpers,
    nn_helpers,
    nn_layer_helpers,
    tensor_op_helpers,
    upsample_helpers,
)
from gradviz.core.optable.derivatives import _EPS  # noqa: F401 - rebound functions use it
from gradviz.core.tensors import factories
from gradviz.core.tensors.tensor import Tensor

__all__ = [*helpers.__all__, *derivatives.__all__, *nn_helpers.__all__, *conv_helpers.__all__,
           *nn_layer_helpers.__all__, *tensor_op_helpers.__all__, *matrix_helpers.__all__,
           *upsample_helpers.__all__]


def _recorded(name, *inputs, attrs=()):
    """The op table's row ``name`` applied to Tensors: recorded, as torch records it."""
    return apply_op(ROWS[name], inputs, attrs)


def _raw(x):
    """The array of a Tensor; other values (arguments, Python numbers) as arrays."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _const(array, like):
    """A Tensor that carries no gradient, in ``like``'s dtype."""
    return Tensor._make(np.asarray(array, dtype=_raw(like).dtype))


def scale(x, number):
    """``x * number`` with a Python number, as torch's formulas scale (MulBackward1)."""
    return _recorded("mul_scalar", x, attrs=(number,))


def sgn_backward(self, grad, result):
    """torch's sgn_backward for real tensors: zeros."""
    return zeros_like(grad)


def shift(x, number):
    """``x + number`` with a Python number, as torch's formulas add one (AddBackward1)."""
    return _recorded("add_scalar", x, attrs=(number,))


def sub_scalar(x, number):
    """``x - number`` with a Python number, as torch's formulas subtract one (SubBackward1)."""
    return _recorded("sub_scalar", x, attrs=(number,))


def div_scalar(x, number):
    """``x / number`` with a Python number, as torch's formulas divide (DivBackward1)."""
    return _recorded("div_scalar", x, attrs=(number,))


# ---------------------------------------------------------------- pointwise
def exp(x):
    return x.exp()


def log(x):
    return x.log()


def sqrt(x):
    return x.sqrt()


def sin(x):
    return x.sin()


def cos(x):
    return x.cos()


def sigmoid(x):
    return x.sigmoid()


def where(condition, a, b):
    return _recorded("where", a, b, attrs=(np.asarray(_raw(condition)),))


# ---------------------------------------------------------------- shapes
def expand(g, shape):
    return g.expand(*shape)


def unsqueeze_to(g, sizes, dims=None):
    """Put back the size-1 dims a squeeze removed (all of them, or those of ``dims``): one
    UnsqueezeBackward0 each on Tensors, as torch's unsqueeze_to."""
    n = len(sizes)
    if dims is None:
        dims = range(n)
    elif isinstance(dims, int):
        dims = (dims,)
    for d in sorted(d % n for d in dims) if n else ():
        if sizes[d] == 1:
            g = g.unsqueeze(d)
    return g


def unsqueeze_dims(g, dims, ndim):
    """Put back the reduced dims (sorted) so that ``g`` broadcasts against the input (one
    UnsqueezeBackward0 per dim on Tensors, as torch's unsqueeze_multiple)."""
    for d in dims:
        g = g.unsqueeze(d)
    return g


def permute_back(grad, dims):
    inverse = tuple(int(i) for i in np.argsort(dims))
    return grad.permute(*inverse)


def transpose(grad, dim0, dim1):
    return grad.transpose(dim0, dim1)


def t(grad):
    return grad.t()


def mm_mat1_backward(grad, mat2, mat1):
    """grad @ mat2^T, laid out like ``mat1`` (so a transposed weight gets a contiguous grad)."""
    if _column_major(_raw(mat1)):  # torch's mm_mat1_backward, recorded as it records it
        return (mat2 @ grad.t()).t()
    return grad @ mat2.t()


def mm_mat2_backward(grad, mat1, mat2):
    """mat1^T @ grad, laid out like ``mat2`` (torch's mm_mat2_backward)."""
    if _column_major(_raw(mat2)):
        return (grad.t() @ mat1).t()
    return mat1.t() @ grad


def outer(a, b):
    return a.reshape(-1, 1) * b  # as torch.outer records it (reshape(n, 1) * vec2)


def unsqueeze(g, dim):
    return g.unsqueeze(dim)


def squeeze(g, dim):
    return g.squeeze(dim)


def scatter_into(grad, sizes, index):
    """Zeros of ``sizes`` with ``grad`` written at ``index`` (select/slice backward)."""
    out = factories.zeros(*sizes, dtype=grad.dtype)
    out[index] = grad
    return out


def index_backward(grad, sizes, indices):
    """Zeros of ``sizes`` with ``grad`` added at ``indices`` (repeats accumulate)."""
    zeros = _const(np.zeros(tuple(sizes), dtype=grad._data.dtype), grad)
    return _recorded("index_put_impl", zeros, grad, attrs=(indices,))


# ---------------------------------------------------------------- reductions
def evenly_distribute(grad, self, result):
    """max()/min() over all elements: ties share the gradient equally."""
    hits = _raw(self) == _raw(result)
    count = Tensor._make(np.asarray(hits.sum(), dtype=grad._data.dtype))
    return zeros_like(self).masked_fill_(Tensor._make(hits), grad / count)


def var_backward(grad, self, dim, correction, keepdim):
    sizes = self.shape
    dims = _dims(dim, len(sizes))
    n = int(np.prod([sizes[d] for d in dims])) if sizes else 1
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, dims, len(sizes))
    if (dim is None or not sizes) and n - correction <= 0:  # torch: no dof, a constant factor
        data = _raw(self)
        mean = data.mean() if data.size else 0  # (an empty mean would warn)
        inf_or_nan = np.where(data == mean, np.nan, np.inf).astype(data.dtype)
        return grad * _const(inf_or_nan, grad)
    with np.errstate(divide="ignore"):  # torch: 2 / (n - correction), not clamped at 0
        factor = float(np.divide(2.0, float(n - correction)))
    mean = self.mean() if dim is None else self.mean(dim=dims, keepdim=True)
    return scale(grad, factor) * (self - mean)


def std_backward(grad, self, result, dim, correction, keepdim):
    """var's gradient through sqrt; 0 where the std is 0 (torch masks it)."""
    zero = _raw(result) == 0
    grad_var = (grad / scale(result, 2)).masked_fill_(Tensor._make(zero), 0)
    return var_backward(grad_var, self, dim, correction, keepdim)


def norm_backward(grad, self, result, ord, dim, keepdim):
    """torch's norm_backward: ``helpers``' own, rebound, but for order 2, which torch
    records as ``grad * (self / result).masked_fill_(...)``."""
    if ord != 2:
        return _norm_backward_other_orders(grad, self, result, ord, dim, keepdim)
    dims = _dims(dim, self.ndim)
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, dims, self.ndim)
        result = unsqueeze_dims(result, dims, self.ndim)
    return grad * (self / result).masked_fill_(Tensor._make(_raw(result) == 0), 0)


def minmax_backward(grad, self, other, pick_self):
    """maximum/minimum: the gradient goes to the winner, split on ties."""
    a, b = _raw(self), _raw(other)
    loses = (a < b) if pick_self == "max" else (a > b)
    half = where(np.broadcast_to(a == b, grad.shape), div_scalar(grad, 2), grad)
    return half.masked_fill_(Tensor._make(np.broadcast_to(loses, grad.shape)), 0)


def clamp_backward(grad, self, min, max):
    inside = np.ones(np.shape(_raw(self)), dtype=bool)
    if min is not None:
        inside &= _raw(self) >= _raw(min)
    if max is not None:
        inside &= _raw(self) <= _raw(max)
    return where(inside, grad, zeros_like(grad))


def sgn(x):
    """The sign, as abs's derivative uses it (recorded as SgnBackward0 on Tensors)."""
    return _recorded("sgn", x)


def threshold_backward(grad, self, threshold):
    """relu's derivative: grad where self > threshold, else 0 (torch's threshold_backward)."""
    return _recorded("threshold_backward", grad, self, attrs=(threshold,))


def tanh_backward(grad, output):
    """tanh's derivative from its output: grad * (1 - output²)."""
    return _recorded("tanh_backward", grad, output)


def elu_backward(grad, x, alpha, scale, input_scale, is_result):
    """elu's derivative (EluBackwardBackward0 on Tensors)."""
    return _recorded("elu_backward", grad, x, attrs=(alpha, scale, input_scale, is_result))


def hardtanh_backward(grad, self, min_val, max_val):
    """hardtanh's derivative (HardtanhBackwardBackward0 on Tensors)."""
    return _recorded("hardtanh_backward", grad, self, attrs=(min_val, max_val))


def leaky_relu_backward(grad, self, negative_slope):
    """leaky_relu's derivative (LeakyReluBackwardBackward0 on Tensors)."""
    return _recorded("leaky_relu_backward", grad, self, attrs=(negative_slope,))


def softplus_backward(grad, self, beta, threshold):
    """softplus's derivative (SoftplusBackwardBackward0 on Tensors)."""
    return _recorded("softplus_backward", grad, self, attrs=(beta, threshold))


def tanh(x):
    return x.tanh()


def index_add_source_grad(grad, dim, index, alpha, source_dim):
    """index_add's derivative for ``source`` (IndexSelectBackward0, then MulBackward1 for an
    ``alpha``, on Tensors)."""
    index = Tensor._make(np.asarray(index, np.int64))
    picked = grad.index_select(dim, index) if grad.ndim else grad.reshape(1)
    if source_dim == 0:
        picked = picked.reshape(())
    return picked if alpha == 1 else scale(picked, alpha)


def log1p(x):
    return x.log1p()


def log_sigmoid_backward(grad, self):
    """log_sigmoid's derivative (LogSigmoidBackwardBackward0 on Tensors)."""
    return _recorded("log_sigmoid_backward", grad, self)


def hardswish_backward(grad, self):
    """hardswish's derivative (HardswishBackwardBackward0 on Tensors)."""
    return _recorded("hardswish_backward", grad, self)


def hardsigmoid_backward(grad, self):
    """hardsigmoid's derivative (torch's NotImplemented node on Tensors)."""
    return _recorded("hardsigmoid_backward", grad, self)


def sigmoid_backward(grad, output):
    """sigmoid's derivative from its output: grad * (1 - output) * output."""
    return _recorded("sigmoid_backward", grad, output)


def pow_backward(grad, self, exponent):
    """d/d self of self ** exponent; 0 where the exponent is 0 (torch's pow_backward_self:
    ``grad * (exponent * self.pow(exponent - 1))``)."""
    if not isinstance(exponent, Tensor | np.ndarray):  # a Python number: the row's argument
        if exponent == 0:
            return zeros_like(grad * self)
        return grad * scale(self ** (exponent - 1), exponent)
    return where(_raw(exponent) == 0, zeros_like(grad),
                 grad * (exponent * self ** sub_scalar(exponent, 1)))


def mse_loss_backward(grad, self, target, reduction):
    """mse_loss's derivative: 2 (self - target) grad, / numel for "mean"
    (MseLossBackwardBackward0 on Tensors)."""
    return _recorded("mse_loss_backward", grad, self, target, attrs=(reduction,))


def masked_fill_grad(grad, mask):
    """The gradient with 0 where the mask filled (MaskedFillBackward0 on Tensors)."""
    return grad.masked_fill(Tensor._make(np.asarray(mask)), 0)


def masked_sum(grad, mask):
    """The gradient summed where the mask filled: what the fill value receives."""
    return where(mask, grad, zeros_like(grad)).sum()


def take(grad, key):
    """``grad[key]``: what a gradient scattered into zeros gets back."""
    return grad[key]


def slice_backward(grad, sizes, key):
    """Zeros of ``sizes`` with ``grad`` in the slice (SliceBackwardBackward0 on Tensors)."""
    return _recorded("slice_backward", grad, attrs=(tuple(sizes), key))


def select_backward(grad, sizes, key):
    """Zeros of ``sizes`` with ``grad`` at the index (SelectBackwardBackward0 on Tensors)."""
    return _recorded("select_backward", grad, attrs=(tuple(sizes), key))


def bce_backward(grad, self, target, weight, reduction):
    """binary_cross_entropy's derivative: grad (self - target) / (self (1 - self)), weighted,
    / numel for "mean" (BinaryCrossEntropyBackwardBackward0 on Tensors)."""
    return _recorded("binary_cross_entropy_backward", grad, self, target,
                     attrs=(weight, reduction))


def to_copy_backward(grad, self_dtype):
    """The gradient cast back to the input's dtype (ToCopyBackward0 on Tensors)."""
    return _recorded("to_copy", grad, attrs=(self_dtype, grad._data.dtype))


def sinh(x):
    return x.sinh()


def cosh(x):
    return x.cosh()


def flip(g, dims):
    return g.flip(dims)


def cumsum_backward(grad, dim):
    """The cumulative sum of the gradient from the end (torch's cumsum_backward); a gradient
    of one element, or one along ``dim``, is itself."""
    d = grad._data
    if d.size <= 1 or dim == () or d.shape[dim] == 1:
        return grad
    return grad.flip(dim).cumsum(dim).flip(dim)


def sum_keepdim(x, dim):
    return x.sum(dim=dim, keepdim=True)


def softmax_backward(grad, result, dim):
    """softmax's derivative from its output (recorded as SoftmaxBackwardDataBackward0)."""
    return _recorded("softmax_backward_data", grad, result, attrs=(dim,))


def log_softmax_backward(grad, result, dim):
    """log_softmax's derivative from its output (LogSoftmaxBackwardDataBackward0)."""
    return _recorded("log_softmax_backward_data", grad, result, attrs=(dim,))


def nll_loss(x, target, weight, reduction, ignore_index, total_weight):
    """nll_loss's forward, recorded on Tensors (NllLossBackward0): what a third derivative
    of nll_loss runs."""
    return _recorded("nll_loss", x,
                     attrs=(target, weight, reduction, ignore_index, total_weight))


def nll_backward(grad, self, target, weight, reduction, ignore_index, total_weight):
    """nll_loss's derivative (recorded as NllLossBackwardBackward0 on Tensors)."""
    return _recorded("nll_loss_backward", grad, self,
                     attrs=(target, weight, reduction, ignore_index, total_weight))


def log_sigmoid(x):
    return x.sigmoid().log()


# ---------------------------------------------------------------- the shared ones
def _rebound(function):
    """``function`` of an array module (written only in terms of formula names), resolving
    the names it calls here."""
    out = types.FunctionType(function.__code__, globals(), function.__name__,
                             function.__defaults__, function.__closure__)
    out.__kwdefaults__, out.__doc__ = function.__kwdefaults__, function.__doc__
    return out


_zero_outside = _rebound(helpers._zero_outside)  # (a Tensor passes as it is)
sign = _rebound(helpers.sign)
floor_divide = _rebound(helpers.floor_divide)
not_implemented = _rebound(helpers.not_implemented)
mask = _rebound(helpers.mask)
zeros_like = _rebound(helpers.zeros_like)
reshape = _rebound(helpers.reshape)
_dims = _rebound(helpers._dims)
sum_backward = _rebound(helpers.sum_backward)
_norm_backward_other_orders = _rebound(helpers.norm_backward)
mT = _rebound(helpers.mT)
_column_major = _rebound(helpers._column_major)
narrow = _rebound(helpers.narrow)
select = _rebound(helpers.select)
setitem_self_grad = _rebound(helpers.setitem_self_grad)
value_selecting = _rebound(helpers.value_selecting)
pow_backward_exponent = _rebound(helpers.pow_backward_exponent)
rpow_backward = _rebound(helpers.rpow_backward)
clamp_bound_backward = _rebound(helpers.clamp_bound_backward)
mean_backward = _rebound(derivatives.mean_backward)
elu_double_backward = _rebound(derivatives.elu_double_backward)
softplus_double_backward = _rebound(derivatives.softplus_double_backward)
silu_backward = _rebound(derivatives.silu_backward)
mish_backward = _rebound(derivatives.mish_backward)
celu_input_scale = derivatives.celu_input_scale  # (a number: the same on both sides)
log_sigmoid_double_backward = _rebound(derivatives.log_sigmoid_double_backward)
hardswish_double_backward = _rebound(derivatives.hardswish_double_backward)
reduced = _rebound(derivatives.reduced)
mse_double_backward = _rebound(derivatives.mse_double_backward)
mse_double_backward_grad_output = _rebound(derivatives.mse_double_backward_grad_output)
_weighted = _rebound(derivatives._weighted)
bce_double_backward = _rebound(derivatives.bce_double_backward)
bce_double_backward_grad_output = _rebound(derivatives.bce_double_backward_grad_output)
bce_double_backward_target = _rebound(derivatives.bce_double_backward_target)
_restored = _rebound(derivatives._restored)
logsumexp_backward = _rebound(derivatives.logsumexp_backward)
amax_backward = _rebound(derivatives.amax_backward)
softmax_double_backward = _rebound(nn_helpers.softmax_double_backward)
bce_logits_grad = _rebound(nn_helpers.bce_logits_grad)
bce_logits_target_grad = _rebound(nn_helpers.bce_logits_target_grad)
numel = _rebound(nn_helpers.numel)
_nll = _rebound(nn_helpers._nll)


# ---------------------------------------------------------------- convolution, pooling, layers
def _no_double_backward(name, grad_fn, second=None):
    """The derivatives of convolution, pooling, normalisation and a few other ops, on
    Tensors: computed from their array formulas and recorded as one node (a custom
    ``Function``, ``<Op>BackwardBackward``) whose own backward is ``second(args, grad)``
    (the gradients of the formula's arguments, on Tensors) where there is one, and else
    says that gradviz cannot take this derivative yet (torch can). A first ``create_graph``
    backward works."""
    array_fn = next(getattr(m, name) for m in (conv_helpers, nn_layer_helpers, tensor_op_helpers,
                                               matrix_helpers, upsample_helpers)
                    if hasattr(m, name))

    def forward(ctx, *args):
        raw = [a._data if isinstance(a, Tensor) else a for a in args]
        if second is not None:
            ctx.args = args
        return Tensor._make(np.asarray(array_fn(*raw)))

    def backward(ctx, *grads):
        if second is not None:
            return second(ctx.args, grads[0])
        raise RuntimeError(f"gradviz cannot differentiate {grad_fn} twice yet "
                           f"({name} under create_graph=True)")

    op_name = grad_fn[:-1] if grad_fn[-1].isdigit() else grad_fn
    cls = type(op_name, (Function,), {"forward": staticmethod(forward),
                                      "backward": staticmethod(backward)})

    def formula(*args):
        return cls.apply(*args)

    formula.__name__ = name
    return formula


def _conv_input_second(args, gg):
    """``conv_input_grad`` is bilinear in (grad, weight): its gradients are the forward
    convolution of ``gg`` and the weight gradient with ``gg`` as the input."""
    grad, _input, weight, *params = args
    return (_recorded("convolution", gg, weight, None, attrs=tuple(params)), None,
            conv_weight_grad(grad, gg, weight, *params), None, None, None, None)


def _conv_weight_second(args, gg):
    """``conv_weight_grad`` is bilinear in (grad, input): the forward convolution of input
    with ``gg`` as the weight, and the input gradient through ``gg``."""
    grad, input, _weight, *params = args
    return (_recorded("convolution", input, gg, None, attrs=tuple(params)),
            conv_input_grad(grad, input, gg, *params), None, None, None, None, None)


def _conv_bias_second(args, gg):
    grad, = args
    return (gg.reshape((1, -1) + (1,) * (grad.dim() - 2)).expand(*grad.shape),)


def _max_pool_second(args, gg):
    """``max_pool_grad`` is linear in grad: ``gg`` picked at each window's max."""
    grad, _self, indices = args
    picked = gg.flatten(-2).gather(-1, Tensor._make(np.asarray(indices, np.int64)).flatten(-2))
    return picked.reshape(tuple(grad.shape)), None, None


def _avg_pool_second(args, gg):
    """``avg_pool_grad`` is linear in grad: the same average pooling of ``gg``."""
    _grad, _self, *params = args
    return (_recorded("avg_pool2d", gg, attrs=tuple(params)), *[None] * (len(args) - 1))


def _adaptive_avg_pool_second(args, gg):
    grad, _self = args
    return _recorded("adaptive_avg_pool2d", gg, attrs=(tuple(grad.shape[-2:]),)), None


conv_input_grad = _no_double_backward("conv_input_grad", "ConvolutionBackward0",
                                      _conv_input_second)
conv_weight_grad = _no_double_backward("conv_weight_grad", "ConvolutionBackward0",
                                       _conv_weight_second)
conv_bias_grad = _no_double_backward("conv_bias_grad", "ConvolutionBackward0", _conv_bias_second)
max_pool_grad = _no_double_backward("max_pool_grad", "MaxPool2DWithIndicesBackward0",
                                    _max_pool_second)
avg_pool_grad = _no_double_backward("avg_pool_grad", "AvgPool2DBackward0", _avg_pool_second)
adaptive_avg_pool_grad = _no_double_backward("adaptive_avg_pool_grad",
                                             "AdaptiveAvgPool2DBackward0",
                                             _adaptive_avg_pool_second)
layer_norm_input_grad = _no_double_backward("layer_norm_input_grad", "NativeLayerNormBackward0")
layer_norm_weight_grad = _no_double_backward("layer_norm_weight_grad",
                                             "NativeLayerNormBackward0")
leading_sum = _no_double_backward("leading_sum", "NativeLayerNormBackward0")
batch_norm_input_grad = _no_double_backward("batch_norm_input_grad", "NativeBatchNormBackward0")
batch_norm_weight_grad = _no_double_backward("batch_norm_weight_grad",
                                             "NativeBatchNormBackward0")
channel_sum = _no_double_backward("channel_sum", "NativeBatchNormBackward0")
embedding_grad = _no_double_backward("embedding_grad", "EmbeddingBackward0")
def _gelu_second(args, gg):
    """The gradients of ``gelu_grad(grad, self, approximate) = grad * gelu'(self)``:
    ``gg * gelu'(self)`` for grad and ``gg * grad * gelu''(self)`` for self (torch's
    gelu_double_backward), recorded so they can be differentiated again."""
    grad, x, approximate = args
    if approximate == "tanh":
        beta, kappa = math.sqrt(2 / math.pi), 0.044715
        x_sq = x * x
        t = ((x + x_sq * x * kappa) * beta).tanh()
        sech_sq = 1 - t * t
        inner_d = (x_sq * (3 * kappa) + 1) * beta
        first = (t + 1) * 0.5 + x * 0.5 * sech_sq * inner_d
        second = sech_sq * inner_d + x * 0.5 * sech_sq * (
            x * (6 * kappa * beta) - t * 2 * (inner_d * inner_d))
    else:
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        cdf = ((x * (1 / math.sqrt(2))).erf() + 1) * 0.5
        first = cdf + x * pdf
        second = pdf * (2 - x * x)
    return gg * first, gg * grad * second, None


gelu_grad = _no_double_backward("gelu_grad", "GeluBackward0", _gelu_second)
pad_grad = _no_double_backward("pad_grad", "ConstantPadNdBackward0")
huber_grad = _no_double_backward("huber_grad", "HuberLossBackward0")
smooth_l1_grad = _no_double_backward("smooth_l1_grad", "SmoothL1LossBackward0")


# ---------------------------------------------------------------- tensor ops
def tril(grad, diagonal):
    return _recorded("tril", grad, attrs=(diagonal,))


def triu(grad, diagonal):
    return _recorded("triu", grad, attrs=(diagonal,))


def roll_backward(grad, shifts, dims):
    back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
    return _recorded("roll", grad, attrs=(back, dims))


def finite(self):
    return np.isfinite(_raw(self))


def diag_embed_backward(grad, offset):
    return _recorded("diagonal", grad, attrs=(tuple(_raw(grad).shape), offset, 0, 1))


def gather_backward(grad, sizes, dim, index):
    zeros = _const(np.zeros(sizes), grad)
    return _recorded("scatter_add", zeros, grad, attrs=(tuple(_raw(grad).shape), dim, index))


def _prod_second(args, gg):
    """The gradients of ``prod_backward(grad, self, dim, keepdim) = grad * others(self)``
    (``others``: per element, the product of the other factors along dim): ``gg`` times
    ``others`` summed along dim for grad, and for self_k ``grad`` times the sum over i != k
    of ``gg_i`` times the product of the factors other than i and k, taken as ``others`` of
    self with self_k set to 1 (exact with zeros; recorded, so it differentiates again)."""
    grad, x, dim, keepdim = args
    if x.dim() == 0:
        return gg, None, None, None
    if dim is None:  # all the elements: one dim
        xm, ggm, gm = x.reshape(-1), gg.reshape(-1), grad.reshape(1)
    else:
        xm, ggm = x.movedim(dim, -1), gg.movedim(dim, -1)
        gm = (grad if keepdim else grad.unsqueeze(dim)).movedim(dim, -1)
    n = xm.shape[-1]
    lead = tuple(xm.shape[:-1])
    others = prod_backward(_const(np.ones(lead + (1,)), x), xm, -1, True)
    d_grad = (ggm * others).sum(-1, keepdim=True)
    eye = _const(np.eye(n), x)
    rows = xm.unsqueeze(-2).expand(*lead, n, n) * (1 - eye) + eye  # row k: self_k set to 1
    pairs = prod_backward(_const(np.ones(lead + (n, 1)), x), rows, -1, True)
    d_x = gm * (pairs * (ggm.unsqueeze(-2) * (1 - eye))).sum(-1)
    if dim is None:
        return d_grad.reshape(()), d_x.reshape(tuple(x.shape)), None, None
    d_grad = d_grad.movedim(-1, dim)
    return (d_grad if keepdim else d_grad.squeeze(dim)), d_x.movedim(-1, dim), None, None


prod_backward = _no_double_backward("prod_backward", "ProdBackward0", _prod_second)
cumprod_backward = _no_double_backward("cumprod_backward", "CumprodBackward0")
repeat_backward = _no_double_backward("repeat_backward", "RepeatBackward0")
diagonal_backward = _no_double_backward("diagonal_backward", "DiagonalBackward0")
trace_backward = _no_double_backward("trace_backward", "TraceBackward0")
scatter_self_grad = _no_double_backward("scatter_self_grad", "ScatterBackward0")
scatter_src_grad = _no_double_backward("scatter_src_grad", "ScatterBackward0")
index_select_backward = _no_double_backward("index_select_backward", "IndexSelectBackward0")
select_along_backward = _no_double_backward("select_along_backward", "SortBackward0")


# ---------------------------------------------------------------- linalg
det_backward = _no_double_backward("det_backward", "LinalgDetBackward0")
slogdet_backward = _no_double_backward("slogdet_backward", "LinalgSlogdetBackward0")
solve_backward_a = _no_double_backward("solve_backward_a", "LinalgSolveExBackward0")
solve_backward_b = _no_double_backward("solve_backward_b", "LinalgSolveExBackward0")
cross_backward = _no_double_backward("cross_backward", "LinalgCrossBackward0")
svd_backward = _no_double_backward("svd_backward", "LinalgSvdBackward0")
lstm_layer_backward = _no_double_backward("lstm_layer_backward", "MkldnnRnnLayerBackward0")
cdist_backward = _no_double_backward("cdist_backward", "CdistBackward0")
upsample_nearest2d_backward = _no_double_backward("upsample_nearest2d_backward",
                                                  "UpsampleNearest2DBackward0")
upsample_bilinear2d_backward = _no_double_backward("upsample_bilinear2d_backward",
                                                   "UpsampleBilinear2DBackward0")
euclidean_dist_backward = _no_double_backward("euclidean_dist_backward",
                                              "EuclideanDistBackward0")
attention_backward = _no_double_backward("attention_backward",
                                         "ScaledDotProductFlashAttentionForCpuBackward0")
masked_select_backward = _no_double_backward("masked_select_backward", "MaskedSelectBackward0")
take_backward = _no_double_backward("take_backward", "TakeBackward0")
nansum_backward = _no_double_backward("nansum_backward", "NansumBackward0")
rot90_backward = _no_double_backward("rot90_backward", "Rot90Backward0")
