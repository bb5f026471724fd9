"""``torch.autograd.functional``: whole derivatives of a function at a point, built on
``autograd.grad`` one output element at a time.

    >>> def f(x):
    ...     return x ** 3
    >>> torch.autograd.functional.jacobian(f, torch.tensor([1.0, 2.0]))
    tensor([[ 3.,  0.],
            [ 0., 12.]])

``jacobian`` and ``hessian`` give every partial derivative; ``vjp`` (vᵀJ), ``jvp`` (Jv),
``vhp`` (vᵀH) and ``hvp`` (Hv) return ``(func(inputs), product)``. Without
``create_graph`` the results are detached, as torch's are.
"""

from __future__ import annotations

from gradviz.core.autograd.engine import grad
from gradviz.core.autograd.grad_mode import enable_grad
from gradviz.core.functions import shape as SH
from gradviz.core.tensors.factories import zeros_like
from gradviz.core.tensors.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x, arg, fn):
    is_tuple = isinstance(x, tuple | list)
    items = tuple(x) if is_tuple else (x,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"Entry {i} in " if is_tuple else ""
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the value at index {i} has type "
                            f"{type(item).__name__}." if is_tuple else
                            f"The {arg} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the given {arg} has type {type(item).__name__}."
                            ) from None if where else None
    return is_tuple, items


def _prepare(inputs, create_graph):
    """Fresh leaves the function is differentiated at (views when building a graph)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(True) for x in inputs)


def _finish(x, create_graph):
    return x if create_graph or x is None else x.detach()


def _grads(output, inputs, grad_output, create_graph):
    if not output.requires_grad:
        return [zeros_like(x) for x in inputs]
    found = grad(output, inputs, grad_output, retain_graph=True, create_graph=create_graph,
                 allow_unused=True)
    return [zeros_like(x) if g is None else g for g, x in zip(found, inputs, strict=True)]


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """Every ``d output[i] / d input[j]``: shaped ``output.shape + input.shape``, as a tensor, or
    nested tuples when ``func`` takes or returns tuples."""
    if strict:
        raise NotImplementedError("gradviz's jacobian has no strict mode")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "jacobian")
        rows = []
        for y in outs:
            flat = y.reshape(-1)
            per_input = [[] for _ in xs]
            for k in range(flat.numel()):
                for j, g in enumerate(_grads(flat[k], xs, None, create_graph)):
                    per_input[j].append(g)
            blocks = []
            for j, x in enumerate(xs):
                if per_input[j]:
                    block = SH.stack(per_input[j]).reshape(*y.shape, *x.shape)
                else:
                    block = zeros_like(x).new_zeros(*y.shape, *x.shape)
                blocks.append(_finish(block, create_graph))
            rows.append(tuple(blocks) if in_tuple else blocks[0])
    return tuple(rows) if out_tuple else rows[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The second derivatives of a scalar ``func``: ``input.shape + input.shape``."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def first(*args):
        out = func(*args)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element "
                               "Tensor")
        return jacobian(lambda *a: func(*a).reshape(()), args if in_tuple else args[0],
                        create_graph=True)

    return jacobian(first, xs if in_tuple else xs[0], create_graph=create_graph)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ J)``: the gradient of ``<func(inputs), v>`` for each input."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
            vs = (None,)
        else:
            vs = tuple(v) if out_tuple else (v,)
        total = None
        for y, w in zip(outs, vs, strict=True):
            term = (y * w).sum() if w is not None else y.reshape(())
            total = term if total is None else total + term
        grads = [_finish(g, create_graph) for g in _grads(total, xs, None, create_graph)]
    outs = tuple(_finish(y, create_graph) for y in outs)
    return (outs if out_tuple else outs[0]), (tuple(grads) if in_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: how the output moves when the inputs move along ``v``."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    vs = (tuple(v) if in_tuple else (v,)) if v is not None else None
    if vs is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        vs = (xs[0].new_ones(()).reshape(xs[0].shape),)
    jac = jacobian(func, tuple(xs) if in_tuple else xs[0], create_graph=create_graph)
    with enable_grad():
        out = func(*_prepare(xs, False))
    out_tuple, outs = _as_tuple(out, "outputs", "jvp")
    rows = jac if out_tuple else (jac,)
    products = []
    for y, row in zip(outs, rows, strict=True):
        blocks = row if in_tuple else (row,)
        total = None
        for block, w, x in zip(blocks, vs, xs, strict=True):
            n = x.numel()
            term = (block.reshape(y.numel(), n) @ w.reshape(n)).reshape(y.shape)
            total = term if total is None else total + term
        products.append(_finish(total, create_graph))
    outs = tuple(y.detach() for y in outs)
    return (outs if out_tuple else outs[0]), (tuple(products) if out_tuple else products[0])


def _hessian_product(func, inputs, v, create_graph, left):
    in_tuple, xs = _as_tuple(inputs, "inputs", "vhp" if left else "hvp")
    vs = tuple(v) if in_tuple else (v,)
    h = hessian(func, tuple(xs) if in_tuple else xs[0], create_graph=create_graph)
    rows = h if in_tuple else ((h,),)
    out = []
    for i, xi in enumerate(xs):
        total = None
        for j, (xj, w) in enumerate(zip(xs, vs, strict=True)):
            if left:  # (vᵀ H)_i = sum_j H_ji ᵀ v_j
                block = rows[j][i].reshape(xj.numel(), xi.numel()).t()
            else:  # (H v)_i = sum_j H_ij v_j
                block = rows[i][j].reshape(xi.numel(), xj.numel())
            term = (block @ w.reshape(xj.numel())).reshape(xi.shape)
            total = term if total is None else total + term
        out.append(_finish(total, create_graph))
    with enable_grad():
        value = func(*_prepare(xs, False)).detach()
    return value, (tuple(out) if in_tuple else out[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ H)`` for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, left=True)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, left=False)
