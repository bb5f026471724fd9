"""Rows of the tensor ops beyond arithmetic: ProdBackward0/1, CumprodBackward0,
RepeatBackward0, RollBackward0, TrilBackward0, TriuBackward0, DiagonalBackward0,
DiagEmbedBackward0, TraceBackward0, GatherBackward0, ScatterBackward0/1,
ScatterAddBackward0, IndexSelectBackward0, SortBackward0, TopkBackward0, ErfBackward0,
Log2Backward0, LerpBackward0/1 and NanToNumBackward0 (forwards in ``tensor_op_helpers``)."""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.optable import tensor_op_helpers as H
from gradviz.core.optable.nn_layer_helpers import erf
from gradviz.core.optable.table import row


def _lerp(a, b, w):
    """torch's lerp: from the nearer end, so that weight 1 gives ``end`` exactly."""
    w = np.asarray(w)
    return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w)).astype(
        np.result_type(a, b), copy=False)


PROD = row("prod", "ProdBackward0", ("self",), lambda x: H.prod(x, None, False),
           self="prod_backward(grad, self, None, False)",
           readable={"self": "grad * product of the other elements"})
PROD_DIM = row("prod_dim", "ProdBackward1", ("self",), H.prod, attrs=("dim", "keepdim"),
               self="prod_backward(grad, self, dim, keepdim)",
               readable={"self": "grad * product of the other elements along dim"})
CUMPROD = row("cumprod", "CumprodBackward0", ("self",),
              lambda x, dim: np.cumprod(x, axis=dim) if x.ndim else np.array(x), attrs=("dim",),
              self="cumprod_backward(grad, self, dim)")
REPEAT = row("repeat", "RepeatBackward0", ("self",), lambda x, sizes, r: H.repeat(x, r),
             attrs=("self_sym_sizes", "repeats"),
             self="repeat_backward(grad, self_sym_sizes, repeats)",
             readable={"self": "grad of every copy summed"})
ROLL = row("roll", "RollBackward0", ("self",), H.roll, attrs=("shifts", "dims"),
           self="roll_backward(grad, shifts, dims)", readable={"self": "grad rolled back"})
TRIL = row("tril", "TrilBackward0", ("self",), H.tril, attrs=("diagonal",),
           self="tril(grad, diagonal)")
TRIU = row("triu", "TriuBackward0", ("self",), H.triu, attrs=("diagonal",),
           self="triu(grad, diagonal)")
DIAGONAL = row("diagonal", "DiagonalBackward0", ("self",),
               lambda x, sizes, o, d1, d2: H.diagonal(x, o, d1, d2),
               attrs=("self_sym_sizes", "offset", "dim1", "dim2"),
               self="diagonal_backward(grad, self_sym_sizes, offset, dim1, dim2)",
               readable={"self": "grad on the diagonal of zeros"})
DIAGONAL_COPY = row("diagonal_copy", "DiagonalBackward0_copy", ("self",),
                    lambda x, sizes, o, d1, d2: H.diagonal(x, o, d1, d2),
                    attrs=("self_sym_sizes", "offset", "dim1", "dim2"),
                    self="diagonal_backward(grad, self_sym_sizes, offset, dim1, dim2)")
DIAG_EMBED = row("diag_embed", "DiagEmbedBackward0", ("self",), H.diag_embed,
                 attrs=("offset",), self="diag_embed_backward(grad, offset)",
                 readable={"self": "the diagonal of grad"})
TRACE = row("trace", "TraceBackward0", ("self",), lambda x, sizes: np.asarray(np.trace(x)),
            attrs=("self_sym_sizes",), self="trace_backward(grad, self_sym_sizes)",
            readable={"self": "grad on the diagonal"})
GATHER = row("gather", "GatherBackward0", ("self",), lambda x, sizes, d, i: H.gather(x, d, i),
             attrs=("self_sym_sizes", "dim", "index"),
             self="gather_backward(grad, self_sym_sizes, dim, index)",
             readable={"self": "grad added back where each element was read"})
SCATTER = row("scatter_src", "ScatterBackward0", ("self", "src"),
              lambda x, s, sizes, d, i: H.scatter(x, s, d, i),
              attrs=("src_sym_sizes", "dim", "index"),
              self="scatter_self_grad(grad, dim, index)",
              src="scatter_src_grad(grad, src_sym_sizes, dim, index)")
SCATTER_VALUE = row("scatter_value", "ScatterBackward1", ("self",), H.scatter_value,
                    attrs=("dim", "index", "value"), self="scatter_self_grad(grad, dim, index)")
SCATTER_ADD = row("scatter_add", "ScatterAddBackward0", ("self", "src"),
                  lambda x, s, sizes, d, i: H.scatter_add(x, s, d, i),
                  attrs=("src_sym_sizes", "dim", "index"), self="grad",
                  src="scatter_src_grad(grad, src_sym_sizes, dim, index)")
INDEX_SELECT = row("index_select", "IndexSelectBackward0", ("self",),
                   lambda x, sizes, d, i: H.index_select(x, d, i),
                   attrs=("self_sym_sizes", "dim", "index"),
                   self="index_select_backward(grad, self_sym_sizes, dim, index)")
INDEX_ADD = row("index_add", "IndexAddBackward0", ("self", "source"), H.index_add,
                attrs=("dim", "index", "alpha", "source_dim"), self="grad",
                source="index_add_source_grad(grad, dim, index, alpha, source_dim)",
                readable={"source": "grad at index along dim, * alpha"})
SORT = row("sort", "SortBackward0", ("self",),
           lambda x, sizes, d, i: H.select_along(x, d, i), attrs=("self_sym_sizes", "dim",
                                                                 "indices"),
           self="select_along_backward(grad, self_sym_sizes, dim, indices)",
           readable={"self": "grad put back at each value's index"})
TOPK = row("topk", "TopkBackward0", ("self",),
           lambda x, sizes, d, i: H.select_along(x, d, i), attrs=("self_sym_sizes", "dim",
                                                                 "indices"),
           self="select_along_backward(grad, self_sym_sizes, dim, indices)",
           readable={"self": "grad put back at each value's index"})
ERF = row("erf", "ErfBackward0", ("self",), erf,
          self="grad * exp(-self * self) * 1.1283791670955126",
          readable={"self": "grad * 2 / sqrt(pi) * exp(-self²)"})
LOG2 = row("log2", "Log2Backward0", ("self",), np.log2,
           self=f"grad / (self * {math.log(2)!r})", readable={"self": "grad / (self ln 2)"})
EXP2 = row("exp2", "Exp2Backward0", ("self",), np.exp2,
           self=f"scale(grad * result, {math.log(2)!r})", readable={"self": "grad * result ln 2"})
LERP = row("lerp_scalar", "LerpBackward0", ("self", "end"), _lerp, attrs=("weight",),
           self="grad * (1 - weight)", end="grad * weight")
LERP_TENSOR = row("lerp_tensor", "LerpBackward1", ("self", "end", "weight"), _lerp,
                  self="grad * (1 - weight)", end="grad * weight",
                  weight="grad * (end - self)")


def _addcmul(x, t1, t2, value):
    """``self + value * tensor1 * tensor2``, in torch's kernel's order."""
    return x + value * t1 * t2


def _addcdiv(x, t1, t2, value):
    """``self + value * tensor1 / tensor2``, in torch's kernel's order."""
    return x + value * t1 / t2


ADDCMUL = row("addcmul", "AddcmulBackward0", ("self", "tensor1", "tensor2"), _addcmul,
              attrs=("value",), self="grad", tensor1="grad * scale(tensor2, value)",
              tensor2="grad * scale(tensor1, value)",
              readable={"tensor1": "grad * value * tensor2",
                        "tensor2": "grad * value * tensor1"})
ADDCDIV = row("addcdiv", "AddcdivBackward0", ("self", "tensor1", "tensor2"), _addcdiv,
              attrs=("value",), self="grad", tensor1="grad * (value / tensor2)",
              tensor2="-grad * (scale(tensor1, value) / (tensor2 * tensor2))",
              readable={"tensor1": "grad * value / tensor2",
                        "tensor2": "-grad * value * tensor1 / tensor2²"})
NAN_TO_NUM = row("nan_to_num", "NanToNumBackward0", ("self",), H.nan_to_num,
                 attrs=("nan", "posinf", "neginf"),
                 self="where(finite(self), grad, zeros_like(grad))",
                 readable={"self": "grad where self is finite, else 0"})
