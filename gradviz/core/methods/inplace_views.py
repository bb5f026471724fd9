"""Tensor's in-place view methods (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``) and
the in-place forms of the unary math (``sin_``, ``cos_``, ``floor_``...).

    >>> x = torch.ones(3)
    >>> x.unsqueeze_(0).shape
    torch.Size([1, 3])
"""

from __future__ import annotations

from gradviz.core.autograd import emit
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.inplace import check_inplace, inplace
from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import selection as SEL
from gradviz.core.functions import special as SP
from gradviz.core.optable import inplace_views as V
from gradviz.core.optable import pointwise as P
from gradviz.core.optable import shape as S
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher


def _reshape_in_place(t, op, attrs):
    """Give ``t`` the op's shape (a view of its own data) and, when it is in the graph, the
    op's grad_fn over its old one; the version goes up as torch's does."""
    check_inplace(t)
    recording = grad_state.enabled and t._requires_grad
    if recording and t._base is not None:
        raise NotImplementedError(f"gradviz: {op.name} on a view that requires grad is not "
                                  "supported; use the out-of-place form")
    shadow = Tensor._make(t._data)
    shadow._grad_fn, shadow._requires_grad, shadow._acc = t._grad_fn, t._requires_grad, t._acc
    out = apply_op(op, (shadow,), attrs) if recording else None
    data = op.forward(t._data, *attrs)
    t._data = data
    t._version_box()[0] += 1
    node = None
    if out is not None:
        node = t._grad_fn = out._grad_fn
    if dispatcher.active:
        emit.inplace_changed(t, node)
    return t


class TensorInPlaceViews:
    """Mixed into Tensor: shape changes and unary math written into the tensor itself."""

    __slots__ = ()

    def unsqueeze_(self, dim):
        return _reshape_in_place(self, V.UNSQUEEZE_, (self._wrap_dim(dim, extra=1),))

    def squeeze_(self, dim=None):
        shape = self._data.shape
        if dim is None:
            return _reshape_in_place(self, V.SQUEEZE_ALL_, (shape,))
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(d for d in (self._wrap_dim(d) for d in dims) if shape[d] == 1) \
            if self._data.ndim else ()
        return _reshape_in_place(self, S.SQUEEZE_, (shape, dims))

    def t_(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return _reshape_in_place(self, V.T_, ())

    def transpose_(self, dim0, dim1):
        return _reshape_in_place(self, V.TRANSPOSE_, (self._wrap_dim(dim0),
                                                      self._wrap_dim(dim1)))

    swapaxes_ = swapdims_ = transpose_

    def sin_(self):
        return inplace(self, P.SIN)

    def cos_(self):
        return inplace(self, P.COS)

    def tan_(self):
        return inplace(self, P.TAN)

    def sinh_(self):
        return inplace(self, P.SINH)

    def cosh_(self):
        return inplace(self, P.COSH)

    def atan_(self):
        return inplace(self, P.ATAN)

    def asin_(self):
        return inplace(self, P.ASIN)

    def acos_(self):
        return inplace(self, P.ACOS)

    def rsqrt_(self):
        return inplace(self, P.RSQRT)

    def reciprocal_(self):
        return inplace(self, P.RECIPROCAL)

    def floor_(self):
        return inplace(self, P.FLOOR)

    def ceil_(self):
        return inplace(self, P.CEIL)

    def log1p_(self):
        return inplace(self, P.LOG1P)

    def expm1_(self):
        return inplace(self, P.EXPM1)

    def erf_(self):
        return inplace(self, O.ERF)

    def log2_(self):
        return inplace(self, O.LOG2)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """In place: ``src`` (a tensor, or a number) written at ``index`` along ``dim``."""
        if reduce is not None:
            raise NotImplementedError("gradviz's scatter has no reduce argument")
        d = self._wrap_dim(dim)
        idx = SEL._index(index, "scatter")
        src = value if src is None else src
        if isinstance(src, Tensor):
            return inplace(self, O.SCATTER, (src,), (src._data.shape, d, idx))
        return inplace(self, O.SCATTER_VALUE, (), (d, idx, src))

    def index_add_(self, dim, index, source, *, alpha=1):
        """In place: ``alpha * source`` added at ``index`` along ``dim``."""
        return inplace(self, O.INDEX_ADD, (source,),
                       SEL.index_add_args(self, dim, index, source, alpha))

    def exp2_(self):
        return inplace(self, O.EXP2)

    def scatter_add_(self, dim, index, src):
        """In place: ``src`` added at ``index`` along ``dim`` (repeats add up)."""
        d = self._wrap_dim(dim)
        idx = SEL._index(index, "scatter")
        return inplace(self, O.SCATTER_ADD, (src,), (src._data.shape, d, idx))

    def lerp_(self, end, weight):
        """In place: ``self + weight * (end - self)``."""
        SP.lerp(self, end, weight if not isinstance(weight, Tensor) else 0.0)  # its checks
        if isinstance(weight, Tensor):
            return inplace(self, O.LERP_TENSOR, (end, weight))
        return inplace(self, O.LERP, (end,), (weight,))

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """In place: ``self + value * tensor1 * tensor2``."""
        SP.addcmul(self, tensor1, tensor2, value=value)  # its checks
        return inplace(self, O.ADDCMUL, (tensor1, tensor2), (value,))

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """In place: ``self + value * tensor1 / tensor2``."""
        SP.addcdiv(self, tensor1, tensor2, value=value)  # its checks
        return inplace(self, O.ADDCDIV, (tensor1, tensor2), (value,))

    def round_(self, *, decimals=None):
        if decimals is None:
            return inplace(self, P.ROUND)
        return inplace(self, P.ROUND_DECIMALS, attrs=(int(decimals),))
