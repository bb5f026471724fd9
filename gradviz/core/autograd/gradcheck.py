"""``gradcheck``: compare analytical gradients with central finite differences."""

from __future__ import annotations

import warnings

import numpy as np

from gradviz.core.autograd.engine import grad as autograd_grad
from gradviz.core.tensors.tensor import Tensor


class GradcheckError(RuntimeError):
    pass


def _numerical(fn, inputs, i, eps):
    """d(sum of outputs weighted by v)/d inputs[i], one element at a time."""
    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = _outputs(fn, inputs)
        flat[k] = orig - eps
        minus = _outputs(fn, inputs)
        flat[k] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)])
    return cols


def _outputs(fn, inputs):
    out = fn(*inputs)  # in grad mode, as torch's: fn may register hooks or check requires_grad
    outs = out if isinstance(out, tuple | list) else (out,)
    return [np.array(o._data, dtype=np.float64).reshape(-1) for o in outs]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              **_ignored) -> bool:
    """True when ``func``'s backward matches finite differences for every input.

    >>> x = gradviz.randn(3, dtype=gradviz.float64, requires_grad=True)
    >>> gradviz.autograd.gradcheck(lambda x: (x * x).sin(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, tuple | list) else (inputs,)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    _check_inputs(inputs, diff)
    out = func(*inputs)
    outs = out if isinstance(out, tuple | list) else (out,)
    for o_idx, o in enumerate(outs):
        n_out = o._data.size
        analytical = np.zeros((len(diff), n_out), dtype=object)
        for r in range(n_out):
            v = np.zeros(o._data.shape, o._data.dtype)
            v.reshape(-1)[r] = 1
            grads = autograd_grad(o, [inputs[i] for i in diff], Tensor._make(v),
                                  retain_graph=True, allow_unused=True)
            for j, g in enumerate(grads):
                analytical[j, r] = (np.zeros(inputs[diff[j]]._data.size) if g is None
                                    else np.asarray(g._data, np.float64).reshape(-1))
        for j, i in enumerate(diff):
            numeric = np.array([col[o_idx] for col in _numerical(func, inputs, i, eps)])
            ana = np.stack([analytical[j, r] for r in range(n_out)], axis=1) if n_out else \
                np.zeros((inputs[i]._data.size, 0))
            if not np.allclose(ana, numeric, rtol=rtol, atol=atol, equal_nan=True):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {o_idx} with respect to input {i},\n"
                    f"numerical:{numeric}\nanalytical:{ana}\n"
                )
    return True


def _check_inputs(inputs, diff):
    """torch's warning for single precision inputs; its error when none requires grad."""
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    for i in diff:
        if inputs[i]._data.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=3,
            )


def gradgradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, **kw) -> bool:
    """gradcheck of the first derivative (needs ``create_graph``); ``inputs`` is a tensor or
    a sequence of them, as for gradcheck."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]

    def first(*xs):
        out = func(*xs)
        total = out.sum() if out._data.size != 1 else out.reshape(())
        gs = autograd_grad(total, [x for x in xs if x._requires_grad], create_graph=True,
                           allow_unused=True)
        return tuple(g for g in gs if g is not None)

    del diff
    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol, **kw)
