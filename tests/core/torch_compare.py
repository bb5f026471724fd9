"""Running one small program on gradviz and on torch and describing what each gave, so a
test asserts the two descriptions are equal: values (bit for bit, nan included), dtype,
shape, ``requires_grad``, the grad_fn's name and its edges' names, or the error's type and
message, and the warnings raised on the way.

Imported as ``from torch_compare import outcome`` (tests/core is on ``sys.path``).
"""

from __future__ import annotations

import warnings

import numpy as np


def _name(fn):
    return None if fn is None else type(fn).__name__


def describe(x):
    """A comparable description of a program's result (tensors, numbers, tuples, names)."""
    if hasattr(x, "grad_fn") and hasattr(x, "dtype"):
        values = x.detach().numpy() if x.device.type != "meta" else None
        edges = None
        if x.grad_fn is not None:
            edges = tuple(_name(f) for f, _ in x.grad_fn.next_functions)
        values = None if values is None else _nan_safe(values.tolist())
        return ("tensor", values, str(x.dtype).split(".")[-1], tuple(x.shape), x.requires_grad,
                _name(x.grad_fn), edges)
    if isinstance(x, tuple | list):
        return tuple(describe(v) for v in x)
    if hasattr(x, "type") and type(x).__name__ == "device":
        return ("device", str(x))
    if type(x).__name__ == "dtype":
        return ("dtype", str(x).split(".")[-1])
    if type(x).__name__ == "Size":
        return ("Size", tuple(x))
    if isinstance(x, float) and np.isnan(x):
        return ("nan",)
    return x


DIGITS = None  # significant digits values are compared to (None: bit for bit)


def _nan_safe(values):
    """Values with nan spelled "nan" (nan != nan would make equal results differ), rounded
    to ``DIGITS`` significant digits when a test asks."""
    if isinstance(values, list):
        return [_nan_safe(v) for v in values]
    if isinstance(values, float):
        if values != values:
            return "nan"
        if DIGITS is not None:
            return float(f"{values:.{DIGITS}g}")
    return values


def outcome(lib, program):
    """``program(lib)`` described, or its exception as (type, message); with the warnings'
    categories and messages (torch's type names spelled as gradviz's)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = describe(program(lib))
        except Exception as exc:  # noqa: BLE001 - the exception is the outcome compared
            result = ("raised", type(exc).__name__, _text(str(exc)))
    return result, tuple((w.category.__name__, _text(str(w.message))) for w in caught)


def _text(message: str) -> str:
    text = message.replace("torch.", "gradviz.").split(" Hint:")[0]
    return text.split(" (Triggered internally")[0]


def assert_same(oracle, program, digits=None):
    """``program`` gives torch's outcome on gradviz; returns it (for further checks).
    ``digits``: compare values to that many significant digits (NumPy's and torch's
    vectorised exp and tanh may differ in the last bit)."""
    import gradviz

    global DIGITS
    DIGITS = digits
    want = outcome(oracle, program)
    got = outcome(gradviz, program)
    DIGITS = None
    assert got == want, f"gradviz {got}\n  torch {want}"
    return got
