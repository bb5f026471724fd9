"""More of torch.nn.functional's losses: ``huber_loss`` (HuberLossBackward0),
``smooth_l1_loss`` (SmoothL1LossBackward0) and ``kl_div`` (composed of pointwise ops and a
reduction, as torch composes it)."""

from __future__ import annotations

import warnings

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import pointwise as M
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.functions.nn_functional import _reduction, _size
from gradviz.core.optable import nn_layers as L
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["huber_loss", "kl_div", "smooth_l1_loss"]


def _same_shape(input, target):
    if input._data.shape == target._data.shape:
        return input, target
    M.broadcast_check(input, target)
    warnings.warn(
        f"Using a target size ({_size(target)}) that is different to the input size "
        f"({_size(input)}). This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size.", UserWarning, stacklevel=3)
    a, b = np.broadcast_arrays(input._data, target._data)
    return SH.expand(input, *a.shape), SH.expand(target, *b.shape)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d²`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, ``d = input -
    target``."""
    tensor_arg(input, "huber_loss")
    tensor_arg(target, "huber_loss", "target", 2)
    if weight is not None:
        raise NotImplementedError("gradviz's huber_loss has no weight")
    input, target = _same_shape(input, target)
    return apply_op(L.HUBER, (input, target), (_reduction(reduction), delta))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    tensor_arg(input, "smooth_l1_loss")
    tensor_arg(target, "smooth_l1_loss", "target", 2)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _same_shape(input, target)
    return apply_op(L.SMOOTH_L1, (input, target),
                    (_reduction(reduction, size_average, reduce), beta))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence of log-probabilities ``input`` from ``target``: pointwise ``target *
    (log(target) - input)``, reduced (``batchmean`` divides the sum by the batch size)."""
    tensor_arg(input, "kl_div")
    tensor_arg(target, "kl_div", "target", 2)
    if reduction == "mean" and size_average is None and reduce is None:
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", UserWarning, stacklevel=2)
    red = "batchmean" if reduction == "batchmean" else _reduction(reduction, size_average,
                                                                  reduce)
    if log_target:
        loss = M.mul(M.exp(target), M.sub(target, input))
    else:
        t = target._data
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogy = np.where(t == 0, 0, t * np.log(np.where(t == 0, 1, t)))
        const = Tensor._make(xlogy.astype(np.result_type(t, input._data)))
        if target.requires_grad:
            raise NotImplementedError("gradviz's kl_div has no gradient for target")
        loss = M.sub(const, M.mul(target, input))
    if red == "batchmean":
        total = RD.sum(loss)
        return M.div(total, input._data.shape[0]) if input._data.ndim else total
    if red == "mean":
        return RD.mean(loss)
    return RD.sum(loss) if red == "sum" else loss
