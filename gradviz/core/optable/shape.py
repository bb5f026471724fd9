"""Shape ops and indexing: views, transposes, squeeze/unsqueeze, expand, cat/stack,
select/slice/index, and the in-place writes (``x[i] = v``, ``copy_``, ``fill_``)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable import helpers as H
from gradviz.core.optable.table import mark_exact, row


def _setitem(x, value, index):
    out = np.array(x)
    out[index] = value
    return out


VIEW = row("view", "ViewBackward0", ("self",), lambda x, sizes, shape: x.reshape(shape),
           attrs=("self_sym_sizes", "shape"), self="reshape(grad, self_sym_sizes)",
           readable={"self": "grad.reshape(self's shape)"})
UNSAFE_VIEW = row("unsafe_view", "UnsafeViewBackward0", ("self",),
                  lambda x, sizes, shape: x.reshape(shape),
                  attrs=("self_sym_sizes", "shape"), self="reshape(grad, self_sym_sizes)",
                  readable={"self": "grad.reshape(self's shape)"})
ALIAS = row("alias", "AliasBackward0", ("self",), lambda x: x.view(), self="grad")
RESHAPE_ALIAS = row("reshape_alias", "ReshapeAliasBackward0", ("self",),
                    lambda x, sizes, shape: x.reshape(shape),
                    attrs=("self_sym_sizes", "shape"), self="reshape(grad, self_sym_sizes)")
T = row("t", "TBackward0", ("self",), lambda x: x.T, self="t(grad)",
        readable={"self": "gradᵀ"})
PERMUTE = row("permute", "PermuteBackward0", ("self",), np.transpose, attrs=("dims",),
              self="permute_back(grad, dims)",
              readable={"self": "grad permuted back"})
TRANSPOSE = row("transpose", "TransposeBackward0", ("self",), H.transpose,
                attrs=("dim0", "dim1"), self="transpose(grad, dim0, dim1)")
SQUEEZE = row("squeeze", "SqueezeBackward0", ("self",), lambda x, sizes: np.squeeze(x),
              attrs=("self_sym_sizes",), self="unsqueeze_to(grad, self_sym_sizes)")
SQUEEZE_DIM = row("squeeze_dim", "SqueezeBackward1", ("self",),
                  lambda x, sizes, dim: (np.squeeze(x, dim) if x.ndim and x.shape[dim] == 1
                                         else x[...]),
                  attrs=("self_sym_sizes", "dim"), self="unsqueeze_to(grad, self_sym_sizes, dim)")
SQUEEZE_DIMS = row("squeeze_dims", "SqueezeBackward2", ("self",),
                   lambda x, sizes, dims: np.squeeze(x, dims),
                   attrs=("self_sym_sizes", "dims"),
                   self="unsqueeze_to(grad, self_sym_sizes, dims)")
SQUEEZE_ = row("squeeze_", "SqueezeBackward4", ("self",),
                   lambda x, sizes, dims: x.reshape(
                       tuple(n for i, n in enumerate(x.shape) if i not in dims)),
                   attrs=("self_sym_sizes", "dims"),
                   self="unsqueeze_to(grad, self_sym_sizes, dims)",
                   readable={"self": "grad.reshape(self's shape)"})
def _unsqueeze(x, dim):
    return x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])


UNSQUEEZE = row("unsqueeze", "UnsqueezeBackward0", ("self",), _unsqueeze, attrs=("dim",),
                self="squeeze(grad, dim)")
EXPAND = row("expand", "ExpandBackward0", ("self",),
             lambda x, sizes, shape: np.broadcast_to(x, shape),
             attrs=("self_sym_sizes", "shape"), self="sum_to(grad, self_sym_sizes)",
             readable={"self": "grad summed back to self's shape"})
CLONE = row("clone", "CloneBackward0", ("self",), np.array, self="grad")
# a view regenerated after its base changed in place: its elements, wherever they sit
AS_STRIDED = row("as_strided", "AsStridedBackward0", ("self",),
                 lambda x, sizes, index: x[index], attrs=("self_sym_sizes", "index"),
                 self="index_backward(grad, self_sym_sizes, index)",
                 readable={"self": "grad put back where the view's elements sit in self"})
CAT = row("cat", "CatBackward0", ("tensors",),
          lambda *xs_dim: np.concatenate(xs_dim[:-3], axis=xs_dim[-3]),
          attrs=("dim", "offsets", "sizes"), variadic=True,
          tensors="narrow(grad, dim, offsets[i], sizes[i])")
STACK = row("stack", "StackBackward0", ("tensors",),
            lambda *xs_dim: np.stack(xs_dim[:-1], axis=xs_dim[-1]),
            attrs=("dim",), variadic=True, tensors="select(grad, dim, i)")
# (the trailing ... keeps a 0-dim result a view of x, as torch's is, not a NumPy scalar copy)
SELECT = row("select", "SelectBackward0", ("self",),
             lambda x, sizes, dim, index, key: x[(*key, Ellipsis)],
             attrs=("self_sym_sizes", "dim", "index", "key"),
             self="select_backward(grad, self_sym_sizes, key)",
             readable={"self": "zeros with grad at the selected index"})
SLICE = row("slice", "SliceBackward0", ("self",), lambda x, sizes, dim, s, e, st, key: x[key],
            attrs=("self_sym_sizes", "dim", "start", "end", "step", "key"),
            self="slice_backward(grad, self_sym_sizes, key)",
            readable={"self": "zeros with grad in the slice"})
INDEX = row("index", "IndexBackward0", ("self",), lambda x, sizes, indices: x[indices],
            attrs=("self_sym_sizes", "indices"), frees=("indices",),  # (torch saves tensors)
            self="index_backward(grad, self_sym_sizes, indices)")
COPY_SLICES = row("setitem", "CopySlices", ("self", "value"), _setitem, attrs=("index",),
                  self="setitem_self_grad(grad, index)", value="grad[index]")
INDEX_PUT = row("index_put", "IndexPutBackward0", ("self", "values"), _setitem,
                attrs=("indices",),
                self="setitem_self_grad(grad, indices)", values="grad[indices]")
COPY = row("copy_", "CopyBackwards", ("self", "src"),
           lambda x, src: np.array(np.broadcast_to(src, x.shape), dtype=x.dtype),
           self="zeros_like(grad)", src="grad")
FILL = row("fill_", "FillBackward2", ("self",), lambda x, v: np.full_like(x, v),
           attrs=("value",), self="zeros_like(grad)")
FILL_TENSOR = row("fill_tensor", "FillBackward3", ("self", "value"),
                  lambda x, v: np.full_like(x, v), self="zeros_like(grad)", value="grad",
                  readable={"value": "grad summed"})
ZERO = row("zero_", "ZeroBackward0", ("self",), np.zeros_like, self="zeros_like(grad)")

mark_exact(VIEW, UNSAFE_VIEW, ALIAS, RESHAPE_ALIAS, T, PERMUTE, TRANSPOSE, SQUEEZE, SQUEEZE_DIM,
           SQUEEZE_DIMS, SQUEEZE_, UNSQUEEZE, EXPAND, CLONE)

FLIP = row("flip", "FlipBackward0", ("self",), lambda x, dims: np.flip(x, dims).copy(),
           attrs=("dims",), self="flip(grad, dims)", readable={"self": "grad flipped back"})
