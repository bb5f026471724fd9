"""The functional forms of torch's layers: ``layer_norm`` (NativeLayerNormBackward0),
``batch_norm`` (NativeBatchNormBackward0, updating running statistics in training),
``embedding`` (EmbeddingBackward0), ``gelu`` (GeluBackward0), ``pad``
(ConstantPadNdBackward0), ``one_hot``, ``normalize`` and ``cosine_similarity``.

    >>> F.layer_norm(torch.randn(2, 3), (3,)).grad_fn          # doctest: +SKIP
    <NativeLayerNormBackward0 ...>
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import pointwise as M
from gradviz.core.functions import reductions as RD
from gradviz.core.optable import nn_layers as L
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.tensor import Size, Tensor

__all__ = ["batch_norm", "cosine_similarity", "embedding", "gelu", "layer_norm", "normalize",
           "one_hot", "pad"]


def _array(t):
    return None if t is None else t._data


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims to mean 0 and variance 1, then
    scale by ``weight`` and shift by ``bias``."""
    tensor_arg(input, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(shape)
    if input._data.shape[input._data.ndim - n:] != shape or input._data.ndim < n:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{Size(input._data.shape)!r}".replace("torch.Size(", "").rstrip(")"))
    _same_dtype(input, weight, bias)
    return apply_op(L.LAYER_NORM, (input, weight, bias), (shape, eps))


def _same_dtype(input, *params):
    """torch's CPU norms: parameters of another dtype than a float32/float64 input (mixed
    dtypes are for half inputs only)."""
    given = [p._data.dtype for p in params if p is not None]
    if input._data.dtype in (np.float32, np.float64) and any(
            d != input._data.dtype for d in given):
        if given[0] == input._data.dtype:  # not mixed by torch's rule (the first decides)
            other = next(d for d in given if d != input._data.dtype)
            raise RuntimeError(f"expected scalar type {_torch_type(input._data.dtype)} but "
                               f"found {_torch_type(other)}")
        if any(d != np.float32 for d in given):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) by the batch's statistics in training (and move the
    running statistics ``momentum`` of the way towards them), by the running ones in eval."""
    tensor_arg(input, "batch_norm")
    x = input._data
    axes = (0, *range(2, x.ndim))
    count = x.size // x.shape[1] if x.ndim > 1 and x.shape[1] else 0
    if training and count <= 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {Size(x.shape)!r}".replace("gradviz", "torch"))
    if x.ndim > 1:  # torch's check of each per-channel tensor, in its order
        for name, t in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
            if t is None and not training and name.startswith("running"):
                raise RuntimeError(f"{name} must be defined in evaluation mode")
            if t is not None and t._data.size != x.shape[1]:
                raise RuntimeError(f"{name} should contain {x.shape[1]} elements not "
                                   f"{t._data.size}")
    _same_dtype(input, weight, bias, running_mean, running_var)
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype)
        if running_mean is not None:
            _move(running_mean, mean, momentum)
        if running_var is not None:
            _move(running_var, var * count / (count - 1), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation "
                               "mode")
        mean = running_mean._data
        invstd = (1 / np.sqrt(running_var._data + eps)).astype(x.dtype)
    return apply_op(L.BATCH_NORM, (input, weight, bias), (mean.astype(x.dtype), invstd,
                                                          bool(training)))


def _move(stat, value, momentum):
    """``stat = (1 - momentum) * stat + momentum * value`` written into the buffer."""
    data = stat._data
    data[...] = (1 - momentum) * data + momentum * value
    stat._version_box()[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer tensor ``input``."""
    tensor_arg(input, "embedding")
    tensor_arg(weight, "embedding", "weight", 2)
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{_torch_type(idx.dtype)}Tensor instead (while checking "
                           "arguments for embedding)")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("gradviz's embedding has no max_norm, scale_grad_by_freq "
                                  "or sparse")
    num = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    return apply_op(L.EMBEDDING, (weight,), (idx, num, padding_idx))


def gelu(input, approximate="none"):
    """``x * Φ(x)`` (Φ the normal CDF), or its tanh approximation."""
    tensor_arg(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"\"GeluKernelImpl\" not implemented for "
                           f"'{_torch_type(input._data.dtype)}'")
    return apply_op(L.GELU, (input,), (approximate,))


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the last dims: ``pad`` is ``(left, right, top,
    bottom, ...)`` from the last dim backwards."""
    tensor_arg(input, "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input._data.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input._data.ndim}")
    if mode != "constant":
        raise NotImplementedError(f"gradviz's pad has only mode='constant', not {mode!r}")
    return apply_op(L.CONSTANT_PAD, (input,), (pad, 0 if value is None else value))


def one_hot(tensor, num_classes=-1):
    """``(*, num_classes)`` int64 rows with a 1 at each index."""
    tensor_arg(tensor, "one_hot")
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``, as torch records it."""
    denom = RD.norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return M.div(input, denom)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``sum(x1 / ||x1|| * x2 / ||x2||, dim)``, each norm at least ``eps``."""
    tensor_arg(x1, "cosine_similarity")
    tensor_arg(x2, "cosine_similarity", "x2", 2)
    n1 = RD.norm(x1, 2, dim, keepdim=True)
    n2 = RD.norm(x2, 2, dim, keepdim=True)
    n1 = Tensor._make(np.maximum(n1._data, eps)) if not n1.requires_grad else n1
    n2 = Tensor._make(np.maximum(n2._data, eps)) if not n2.requires_grad else n2
    return RD.sum(M.mul(M.div(x1, n1), M.div(x2, n2)), dim)


