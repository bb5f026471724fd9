"""dtype conversion (``.to(dtype)``, ``.float()``, ...): grad_fn ``ToCopyBackward0``."""

from __future__ import annotations

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.autograd.record import apply_op
from gradviz.core.optable.table import row

TO_COPY = row("to_copy", "ToCopyBackward0", ("self",),
              lambda x, np_dtype, self_dtype: x.astype(np_dtype),
              attrs=("np_dtype", "self_dtype"), self="to_copy_backward(grad, self_dtype)",
              readable={"self": "grad, cast back to self's dtype"})


def cast(t, target):
    """``t`` converted to ``target``; only float results stay in the graph."""
    if target.is_floating_point:
        return apply_op(TO_COPY, (t,), (target.np, t._data.dtype))
    with no_grad():
        return apply_op(TO_COPY, (t,), (target.np, t._data.dtype))
