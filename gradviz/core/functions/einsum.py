"""``einsum`` and ``tensordot``, built from permutes, views, sums, mul and bmm exactly as
torch's ATen builds them (``einsum('ij,jk->ik', a, b)`` is ViewBackward0 over
PermuteBackward0 over ViewBackward0 over BmmBackward0...), so the recorded graph is torch's.

    >>> a = torch.arange(6.0).reshape(2, 3)
    >>> torch.einsum("ij->j", a)
    tensor([3., 5., 7.])
    >>> torch.einsum("ij,kj->ik", a, a)
    tensor([[ 5., 14.],
            [14., 50.]])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.functions import linalg as LA
from gradviz.core.functions import matrices as MX
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["einsum", "tensordot"]

_ELLIPSIS = "..."


def _operand_labels(lhs, num_ops):
    """Per operand, its labels (letters, and ``...`` once at most)."""
    ops = [[]]
    i = 0
    ell = False
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if ell:
                raise RuntimeError(f"einsum(): found '.' for operand {len(ops) - 1} for which "
                                   "an ellipsis was already found")
            if lhs[i:i + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for operand {len(ops) - 1} that is "
                                   "not part of any ellipsis")
            ops[-1].append(_ELLIPSIS)
            ell = True
            i += 2
        elif c == ",":
            ops.append([])
            if len(ops) > num_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in "
                                   "the equation")
            ell = False
        elif c.isalpha() and c.isascii():
            ops[-1].append(c)
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        i += 1
    if len(ops) != num_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return ops


def _letters():
    """torch's label order: A-Z, then a-z."""
    return [chr(c) for c in range(ord("A"), ord("Z") + 1)] + \
        [chr(c) for c in range(ord("a"), ord("z") + 1)]


def einsum(equation, *operands):
    """Sums of products of ``operands``' elements, labelled by ``equation``
    (``"bij,bjk->bik"``; repeated labels take diagonals, ``...`` broadcasts)."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for t in operands:
        tensor_arg(t, "einsum", "tensors", 2)
    lhs, arrow, rhs = equation.partition("->")
    op_labels = _operand_labels(lhs, len(operands))
    counts = dict.fromkeys(_letters(), 0)
    ell_num_dim = 0
    for k, (t, labels) in enumerate(zip(operands, op_labels, strict=True)):
        n = sum(1 for s in labels if s != _ELLIPSIS)
        has_ell = _ELLIPSIS in labels
        for s in labels:
            if s != _ELLIPSIS:
                counts[s] += 1
        if has_ell:
            ell_num_dim = max(ell_num_dim, t._data.ndim - n)
        if (n > t._data.ndim) if has_ell else (n != t._data.ndim):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) "
                + ("is more than the number of dimensions (" if has_ell
                   else "does not match the number of dimensions (")
                + f"{t._data.ndim}) for operand {k}" + ("" if has_ell else
                                                        " and no ellipsis was given"))
    perm_index, ell_index, ell_in_output = 0, 0, False
    position = {}
    if not arrow:  # implicit output: the ellipsis, then the labels seen once, in order
        perm_index, ell_in_output = ell_num_dim, True
        for s in _letters():
            if counts[s] == 1:
                position[s] = perm_index
                perm_index += 1
    else:
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) "
                                       "was already found")
                if rhs[i:i + 3] != _ELLIPSIS:
                    raise RuntimeError("einsum(): found '.' for output that is not part of "
                                       "any ellipsis (...)")
                ell_index, ell_in_output = perm_index, True
                perm_index += ell_num_dim
                i += 2
            elif c != " ":
                if not (c.isalpha() and c.isascii()):
                    raise RuntimeError(f"einsum(): invalid subscript given at index "
                                       f"{len(lhs) + 2 + i} in the equation string, "
                                       "subscripts must be in [a-zA-Z]")
                if not counts[c] or c in position:
                    raise RuntimeError(f"einsum(): output subscript {c}" + (
                        " appears more than once in the output" if c in position else
                        " does not appear in the equation for any input operand"))
                position[c] = perm_index
                perm_index += 1
            i += 1
    out_num_dim = perm_index
    if not ell_in_output:
        ell_index = perm_index
        perm_index += ell_num_dim
    for s in _letters():
        if counts[s] and s not in position:
            position[s] = perm_index
            perm_index += 1
    label_size = {}
    ell_sizes = [1] * ell_num_dim
    dim_counts = [0] * perm_index
    ops = []
    for k, (t, labels) in enumerate(zip(operands, op_labels, strict=True)):
        op = t
        permutation = [-1] * perm_index
        dim = 0
        for s in labels:
            size = op._data.shape
            if s == _ELLIPSIS:
                ndim = t._data.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - ndim, ell_num_dim):
                    if size[dim] != 1:
                        if ell_sizes[j] not in (1, size[dim]):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {k}"
                                f"has size {size[dim]} which does not broadcast with "
                                f"previously seen ellipsis with size {ell_sizes[j]} for the "
                                "respective dimension")
                        ell_sizes[j] = size[dim]
                        dim_counts[ell_index + j] += 1
                    permutation[ell_index + j] = dim
                    dim += 1
            elif permutation[position[s]] == -1:
                if size[dim] != 1:
                    if label_size.get(s, 1) not in (1, size[dim]):
                        raise RuntimeError(
                            f"einsum(): subscript {s} has size {size[dim]} for operand {k} "
                            f"which does not broadcast with previously seen size "
                            f"{label_size[s]}")
                    label_size[s] = size[dim]
                    dim_counts[position[s]] += 1
                permutation[position[s]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, moved where the first one was
                prev = permutation[position[s]]
                if size[dim] != size[prev]:
                    raise RuntimeError(f"einsum(): subscript {s} is repeated for operand {k} "
                                       f"but the sizes don't match, {size[dim]} != {size[prev]}")
                op = _movedim_last(MX.diagonal(op, 0, prev, dim), prev)
        for i, val in enumerate(permutation):
            if val == -1:
                op = SH.unsqueeze(op, dim)
                permutation[i] = dim
                dim += 1
        ops.append(SH.permute(op, *permutation))
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sum, b_sum = [], [], []
        sa, sb = a._data.shape, b._data.shape
        for dim in range(out_num_dim, perm_index):
            if sa[dim] != 1 and sb[dim] != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if sa[dim] != 1:
                    a_sum.append(dim)
                    dim_counts[dim] = 0
                elif sb[dim] != 1:
                    b_sum.append(dim)
                    dim_counts[dim] = 0
        if a_sum:
            a = RD.sum(a, a_sum, True)
        if b_sum:
            b = RD.sum(b, b_sum, True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    if perm_index - out_num_dim > 0:
        if len(operands) > 1:
            return SH.view(ops[0], *ops[0]._data.shape[:out_num_dim])
        return RD.sum(ops[0], list(range(out_num_dim, perm_index)))
    return ops[0]


def _movedim_last(t, dest):
    """``t.movedim(-1, dest)`` (a permute, as torch records it)."""
    n = t._data.ndim
    order = list(range(n - 1))
    order.insert(dest, n - 1)
    return SH.permute(t, *order)


def _sumproduct_pair(left, right, sum_dims):
    """``(left * right).sum(sum_dims, keepdim=True)`` through one bmm (torch's
    sumproduct_pair)."""
    if not sum_dims:
        return left * right
    dim = left._data.ndim
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(dim):
        sl, sr = left._data.shape[i] != 1, right._data.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                sum_size *= left._data.shape[i]
            elif sl:
                left = RD.sum(left, i, True)
            elif sr:
                right = RD.sum(right, i, True)
        elif sl and sr:
            lro.append(i)
            lro_size *= left._data.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left._data.shape[i]
        else:
            ro.append(i)
            ro_size *= right._data.shape[i]
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo]
                + [1] * len(sum_dims) + [right._data.shape[d] for d in ro])
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [0] * len(out_size)
    for i, d in enumerate(lro + lo + sum_dims + ro):
        operm[d] = i
    left = SH.reshape(SH.permute(left, *lperm), lro_size, lo_size, sum_size)
    right = SH.reshape(SH.permute(right, *rperm), lro_size, sum_size, ro_size)
    result = LA.bmm(left, right)
    return SH.permute(SH.view(result, *out_size), *operm)


def tensordot(a, b, dims=2, out=None):
    """Sum of products over ``dims`` (a number: a's last and b's first dims; or two lists),
    as torch: permute, reshape, one mm, view."""
    tensor_arg(a, "tensordot")
    tensor_arg(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims="
                               f"{dims}")
        dims_a = list(range(a._data.ndim - dims, a._data.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [a._wrap_dim(d) for d in dims_a]
    dims_b = [b._wrap_dim(d) for d in dims_b]
    sa, sb = a._data.shape, b._data.shape
    csize = 1
    for da, db in zip(dims_a, dims_b, strict=True):
        if sa[da] != sb[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{sa[da]} in dim {da} and second has size {sb[db]} in dim {db}")
        csize *= sa[da]
    keep_a = [i for i in range(len(sa)) if i not in dims_a]
    keep_b = [i for i in range(len(sb)) if i not in dims_b]
    size1 = int(np.prod([sa[i] for i in keep_a]))
    size2 = int(np.prod([sb[i] for i in keep_b]))
    t1 = SH.reshape(SH.permute(a, *(keep_a + dims_a)), size1, csize)
    t2 = SH.reshape(SH.permute(b, *(dims_b + keep_b)), csize, size2)
    out_shape = [sa[i] for i in keep_a] + [sb[i] for i in keep_b]
    return SH.reshape(LA.mm(t1, t2), *out_shape)
