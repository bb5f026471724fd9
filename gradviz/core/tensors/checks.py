"""The arguments of torch's functions, checked as torch checks them.

``operand`` and ``tensor_arg`` give torch's ``TypeError`` for a wrong argument,
``broadcast_check`` its ``RuntimeError`` for shapes that do not broadcast::

    >>> operand("2", "add")
    Traceback (most recent call last):
    TypeError: add(): argument 'other' (position 2) must be Tensor, not str
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from gradviz.core.tensors.tensor import Tensor

_SCALARS = (int, float, bool, np.number, np.bool_)


def type_name(x):
    """The type's name as torch's messages give it (Python's ``tp_name``: NumPy's types
    are ``numpy.ndarray``, ``numpy.int64``)."""
    kind = type(x)
    if kind.__module__ == "numpy":
        return f"numpy.{kind.__name__}"
    return kind.__name__


def operand(x, func, arg="other", position=2):
    """A Tensor or Python scalar argument, or torch's TypeError."""
    if type(x) is Tensor or isinstance(x, (*_SCALARS, Tensor)):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    raise TypeError(
        f"{func}(): argument '{arg}' (position {position}) must be Tensor, "
        f"not {type_name(x)}"
    )


def tensor_arg(x, func, arg="input", position=1):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{func}(): argument '{arg}' (position {position}) must be Tensor, "
            f"not {type_name(x)}"
        )
    return x


def broadcast_check(a, b):
    """torch's message for shapes that do not broadcast, naming both sizes."""
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    for i in range(1, builtins.min(len(sa), len(sb)) + 1):  # min/max are torch's here
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {builtins.max(len(sa), len(sb)) - i}"
            )


def invalid_arguments(func, args, signatures, checked, kinds):
    """torch's TypeError for ``args`` that fit none of ``signatures``. Like torch, it marks
    (``!str!``) the arguments that do not fit ``signatures[checked]``, whose parameters are
    ``kinds`` ("Tensor" or "Number")."""
    names = ["Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args]
    fits = [isinstance(a, Tensor) if kind == "Tensor"
            else isinstance(a, numbers.Number) for a, kind in zip(args, kinds, strict=True)]
    marked = ", ".join(n if ok else f"!{n}!" for n, ok in zip(names, fits, strict=True))
    lines = [f"{func}() received an invalid combination of arguments - got "
             f"({', '.join(names)}), but expected one of:"]
    for i, signature in enumerate(signatures):
        lines.append(f" * {signature}")
        if i == checked:
            lines.append("      didn't match because some of the arguments have invalid types: "
                         f"({marked})")
    return TypeError("\n".join(lines) + "\n")


def _torch_type(npdt):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "float16": "Half"}.get(npdt.name, npdt.name)

