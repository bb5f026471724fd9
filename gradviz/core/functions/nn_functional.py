"""torch.nn.functional's activations and losses (``gradviz.nn.functional`` re-exports them),
each recorded as torch records it
(``cross_entropy`` is NllLossBackward0 over LogSoftmaxBackward0, ``l1_loss`` is
MeanBackward0 over AbsBackward0, ``linear`` with bias is AddmmBackward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.inplace import inplace
from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import linalg as LA
from gradviz.core.functions import pointwise as M
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.functions.masked import masked_fill
from gradviz.core.optable import derivative_ops as B
from gradviz.core.optable import linalg as L
from gradviz.core.optable import nn as N
from gradviz.core.optable import pointwise as P
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.tensor import Size, Tensor

_write_inplace = inplace  # (relu's ``inplace`` argument hides the function's name)

def relu(input, inplace=False):
    """``max(x, 0)``; grad_fn ``ReluBackward0`` (``inplace=True``: written into ``input``)."""
    if inplace:
        tensor_arg(input, "relu")
        return _write_inplace(input, P.RELU)
    return M.relu(input)
sigmoid = M.sigmoid
tanh = M.tanh

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        if reduce is False:
            return "none"
        return "sum" if size_average is False else "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _softmax_dim(input, dim, name="softmax", stacklevel=4):
    if dim is None:
        import warnings

        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
        nd = input._data.ndim
        dim = 0 if nd in (0, 1, 3) else 1
    return input._wrap_dim(dim)


def _softmax_input(input, dim, dtype, name):
    """The input in ``dtype``, its dim, torch's error for integers and bools."""
    M.tensor_arg(input, name)
    if dtype is not None:
        input = input.to(dtype)
    d = _softmax_dim(input, dim, name, 4)
    if input._data.dtype.kind != "f":
        last = "lastdim_" if d == input._data.ndim - 1 or input._data.ndim == 0 else ""
        kind = _SCALAR[input._data.dtype.name]
        raise NotImplementedError(f'"{name}_{last}kernel_impl" not implemented for \'{kind}\'')
    return input, d


def softmax(input, dim=None, dtype=None):
    """``exp(x) / exp(x).sum(dim)``; grad_fn ``SoftmaxBackward0``."""
    input, d = _softmax_input(input, dim, dtype, "softmax")
    return apply_op(N.SOFTMAX, (input,), (d,))


def log_softmax(input, dim=None, dtype=None):
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    return apply_op(N.LOG_SOFTMAX, (input,), (d,))


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as torch records it (AddmmBackward0)."""
    M.tensor_arg(input, "linear")
    M.tensor_arg(weight, "linear", "weight", 2)
    if not (input._data.ndim and weight._data.ndim):
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input._data.ndim}D and {weight._data.ndim}D")
    a, b = input._data.dtype, weight._data.dtype
    if a != b and weight._data.ndim == 2 and bias is not None:
        raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                           f"{_SCALAR[a.name]} and {_SCALAR[b.name]}")
    wt = SH.t_(weight)  # a vector's t() is TBackward0; past 2 dims, t()'s error
    if input._data.ndim == 2 and bias is not None:
        _addmm_check(bias, input, wt)
        return apply_op(L.ADDMM, (bias, input, wt), (1, 1))
    contiguous = input._data.flags.c_contiguous  # torch folds only contiguous inputs
    if input._data.ndim > 2 and bias is not None and contiguous:
        k = input._data.shape[-1]
        flat = SH.reshape(input, -1, k)
        _addmm_check(bias, flat, wt)
        out = apply_op(L.ADDMM, (bias, flat, wt), (1, 1))
        return SH.view(out, *input._data.shape[:-1], wt._data.shape[1])
    if input._data.ndim == 1 and bias is not None and contiguous:
        row = SH.view(input, 1, -1)  # torch views a vector as one row
        _addmm_check(bias, row, wt)
        return SH.view(apply_op(L.ADDMM, (bias, row, wt), (1, 1)), wt._data.shape[1])
    out = LA.matmul(input, wt)
    return out if bias is None else out + bias


def _addmm_check(bias, mat1, mat2):
    """addmm's checks, in torch's order, for linear's ``bias + mat1 @ mat2``."""
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2._data.ndim}-D tensor")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        LA._mm_check(mat1, mat2)
    SH.expand_check(bias, (mat1._data.shape[0], mat2._data.shape[1]))


def _array(t):
    return None if t is None else t._data


def _not_differentiable(t, arg, func):
    """torch records no edge for weights: one that requires grad is refused up front."""
    if t is not None and t._requires_grad and grad_state.enabled:
        raise RuntimeError(
            f"The function '{func}' is not differentiable with respect to argument '{arg}'. "
            "This input cannot have requires_grad True."
        )


def _check_same_size(input, target, name):
    if input._data.shape != target._data.shape:
        raise ValueError(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}) is deprecated. Please ensure they have the same size."
            if name == "binary_cross_entropy" else
            f"Target size ({_size(target)}) must be the same as input size ({_size(input)})"
        )


_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _size(t):
    return repr(Size(t._data.shape))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    M.tensor_arg(input, "binary_cross_entropy")
    M.tensor_arg(target, "binary_cross_entropy", "target", 2)
    _check_same_size(input, target, "binary_cross_entropy")
    data = input._data
    if target._data.dtype != data.dtype:
        raise RuntimeError(f"Found dtype {_SCALAR[target._data.dtype.name]} but expected "
                           f"{_SCALAR[data.dtype.name]}")
    if not np.all((data >= 0) & (data <= 1)):  # (nan is refused too)
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((target._data >= 0) & (target._data <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    _not_differentiable(weight, "weight", "binary_cross_entropy")
    return apply_op(N.BCE, (input, target),
                    (_array(weight), _reduction(reduction, size_average, reduce)))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable op (the tutorial's loss)."""
    M.tensor_arg(input, "binary_cross_entropy_with_logits")
    M.tensor_arg(target, "binary_cross_entropy_with_logits", "target", 2)
    _check_same_size(input, target, "binary_cross_entropy_with_logits")
    # what torch's kernel meets: log_sigmoid(input), then (1 - target).mul_(input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{M._torch_type(input._data.dtype)}'")
    if target._data.dtype == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"result type {M._torch_type(input._data.dtype)} can't be cast to "
                           f"the desired output type {M._torch_type(target._data.dtype)}")
    _not_differentiable(weight, "weight", "binary_cross_entropy_with_logits")
    _not_differentiable(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    red = _reduction(reduction, size_average, reduce)
    return apply_op(N.BCE_LOGITS, (input, target), (_array(weight), _array(pos_weight), red))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    M.tensor_arg(input, "nll_loss")
    M.tensor_arg(target, "nll_loss", "target", 2)
    # torch's nll_loss_nd, then nll_loss's own checks, in their order
    ndim = input._data.ndim
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim != 1 and input._data.shape[0] != (target._data.shape[0] if target._data.ndim else 0):
        raise ValueError(
            f"Expected input batch_size ({input._data.shape[0]}) to match target batch_size "
            f"({target._data.shape[0] if target._data.ndim else 0})."
        )
    if ndim > 2:
        raise ValueError(f"Expected 1 or 2 dimensions (got {ndim})")
    if target._data.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {M._torch_type(target._data.dtype)}"
        )
    if ndim == 1 and target._data.ndim == 1 and target._data.shape[0] != 1:
        raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                         f"{target._data.shape[0]}")
    if weight is not None and weight._data.shape != (input._data.shape[-1],):
        raise RuntimeError(
            "weight tensor should be defined either for all "
            f"{input._data.shape[-1]} classes or no classes but got weight tensor of shape: "
            f"{list(weight._data.shape)}")
    t = target._data if ndim == 2 else target._data.reshape(())
    classes = input._data.shape[-1]
    bad = t[(t != ignore_index) & ((t < 0) | (t >= classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
    w = np.ones(classes, input._data.dtype) if weight is None else weight._data
    valid = t != ignore_index
    total = float(np.sum(w[np.where(valid, t, 0)] * valid))
    red = _reduction(reduction, size_average, reduce)
    _not_differentiable(weight, "weight", "nll_loss_forward")
    return apply_op(N.NLL, (input,), (t, _array(weight), red, ignore_index, total))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target)`` for class-index targets; for a target of
    class probabilities (input's shape, floats) ``-(log_softmax(input) * target)`` summed over
    the classes; ``label_smoothing`` mixes the uniform distribution in. Recorded as torch's
    ATen records it (DivBackward1 over NegBackward0... for probabilities, AddBackward0 of the
    NLL and the smoothing term for indices)."""
    M.tensor_arg(input, "cross_entropy")
    M.tensor_arg(target, "cross_entropy", "target", 2)
    dim = 0 if input._data.ndim == 1 else 1
    # torch's dispatch: a target of input's shape holds class probabilities; otherwise
    # class indices, smoothed only when label_smoothing > 0 (nll_loss checks their dtype)
    probabilities = target._data.shape == input._data.shape
    if probabilities:
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {M._torch_type(target._data.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
    elif not label_smoothing > 0:
        return nll_loss(log_softmax(input, dim), target, weight, size_average, ignore_index,
                        reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    red = _reduction(reduction, size_average, reduce)
    log_probs = log_softmax(input, dim)
    n_classes = input._data.shape[dim]
    if probabilities and weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} "
            f"classes or no classes but got weight tensor of shape: {list(weight._data.shape)}")
    if not probabilities:  # nll_loss's checks first
        nll = nll_loss(log_probs, target, weight, None, ignore_index, None, red)
    if weight is not None and input._data.ndim > 1:  # broadcast along the class dim
        weight_ = weight.view(*[n_classes if d == dim else 1 for d in range(input._data.ndim)])
    else:
        weight_ = weight
    if probabilities:
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        product = M.mul(log_probs, target)
        if weight is not None:
            product = M.mul(product, weight_)
        if red == "none":
            return M.neg(RD.sum(product, dim))
        total = M.neg(RD.sum(product))
        if red == "sum":
            return total
        return apply_op(B.DIV_SCALAR, (total,), (input._data.size // n_classes,))
    weighted = log_probs if weight is None else M.mul(log_probs, weight_)
    ignored = target._data == ignore_index
    smooth = masked_fill(M.neg(RD.sum(weighted, dim)), Tensor._make(np.asarray(ignored)), 0.0)
    if red == "mean":
        if weight is None:
            kept = Tensor._make(np.asarray(np.sum(~ignored), np.int64))
        else:  # normalised by the targets' weights, as nll_loss's mean
            kept = Tensor._make(np.asarray(weight._data[target._data[~ignored]].sum()))
        smooth = M.div(RD.sum(smooth), kept)
    elif red == "sum":
        smooth = RD.sum(smooth)
    return M.add(apply_op(B.MUL_SCALAR, (nll,), (1 - label_smoothing,)),
                 apply_op(B.MUL_SCALAR, (smooth,), (label_smoothing / n_classes,)))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    M.tensor_arg(input, "mse_loss")
    M.tensor_arg(target, "mse_loss", "target", 2)
    red = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_loss(input, target)
    if input._data.dtype.kind != "f" and target._data.dtype.kind != "f":
        kind = np.result_type(input._data.dtype, target._data.dtype)
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{_SCALAR[kind.name]}\'')
    # An integer side is promoted to the float side's dtype, as torch's kernel does
    # (an integer tensor never requires grad, so no node stands for the cast).
    if target._data.dtype.kind != "f":
        target = Tensor._make(target._data.astype(input._data.dtype))
    elif input._data.dtype.kind != "f":
        input = Tensor._make(input._data.astype(target._data.dtype))
    return apply_op(N.MSE, (input, target), (red,))


def _broadcast_loss(input, target):
    """torch's warning for a target of another size, then ``broadcast_tensors``: only the
    side whose shape differs from the common one is expanded (ExpandBackward0)."""
    if input._data.shape == target._data.shape:
        return input, target
    import warnings

    warnings.warn(
        f"Using a target size ({_size(target)}) that is different to the input size "
        f"({_size(input)}). This will likely lead to incorrect results due to "
        "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=3)
    M.broadcast_check(input, target)
    shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    if input._data.shape != shape:
        input = SH.expand(input, *shape)
    if target._data.shape != shape:
        target = SH.expand(target, *shape)
    return input, target


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``(input - target).abs().mean()``, recorded as MeanBackward0 over AbsBackward0."""
    M.tensor_arg(input, "l1_loss")
    M.tensor_arg(target, "l1_loss", "target", 2)
    red = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_loss(input, target)
    diff = M.abs(M.sub(input, target))
    if red == "mean":
        return RD.mean(diff)
    if red == "sum":
        return RD.sum(diff)
    return diff


# ---------------------------------------------------------------- more activations
_TYPE_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}


def _activation(op, name, input, attrs, inplace_=False, inplace_op=None):
    tensor_arg(input, name)
    kind = input._data.dtype
    if op is P.HARDTANH and kind == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if kind.kind != "f" and op is not P.HARDTANH:  # (hardtanh clamps integers too)
        raise NotImplementedError(
            f'"{name}_cpu" not implemented for \'{_TYPE_NAMES.get(kind.name, kind.name)}\'')
    if inplace_:
        return inplace(input, inplace_op or op, (), attrs)
    return apply_op(op, (input,), attrs)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return _activation(P.LEAKY_RELU, "leaky_relu", input, (negative_slope,), inplace,
                       P.LEAKY_RELU_)


def elu(input, alpha=1.0, inplace=False):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return _activation(P.ELU, "elu", input, (alpha, 1.0, 1.0), inplace, P.ELU_)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (swish)."""
    return _activation(P.SILU, "silu", input, (), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear past ``threshold``."""
    return _activation(P.SOFTPLUS, "softplus", input, (beta, threshold))


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``: hardtanh between 0 and 6 (HardtanhBackward0, as torch)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def softsign(input):
    """``x / (1 + |x|)``, recorded as torch composes it (DivBackward0 of AddBackward0)."""
    M.tensor_arg(input, "softsign")
    return M.div(input, M.add(M.abs(input), 1))


def tanhshrink(input):
    """``x - tanh(x)`` (SubBackward0)."""
    M.tensor_arg(input, "tanhshrink")
    return M.sub(input, M.tanh(input))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` (SoftmaxBackward0 over NegBackward0)."""
    M.tensor_arg(input, "softmin")
    if dim is None:
        dim = _softmax_dim(input, None, "softmin", _stacklevel + 1)
    return softmax(M.neg(input), dim, dtype)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``, with hardtanh's own grad_fn."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(P.HARDTANH, "hardtanh", input, (min_val, max_val), inplace)
