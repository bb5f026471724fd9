"""Format NumPy arrays exactly the way PyTorch 2.x prints tensors.

This module mirrors the algorithm of ``torch/_tensor_str.py`` (``str(tensor)`` /
``repr(tensor)``) for dense CPU tensors whose values are given as a NumPy array.
It depends only on NumPy and the standard library.

The pieces, in the same order as torch applies them:

* **Summarisation** - when the array has more than ``threshold`` elements, only the
  first and last ``edgeitems`` entries of every dimension are shown, with ``...``
  in between.
* **Element formatter** - one formatter is built from the (summarised) values and
  used for every element so that columns line up.  For floating dtypes it decides
  between *int mode* (every finite value is a whole number: ``1.``), *sci mode*
  (``1.0000e-05``; chosen when the nonzero finite magnitudes span more than 1000x,
  exceed 1e8 or go below 1e-4) and fixed-point with ``precision`` digits.  All
  elements are right-aligned to the widest one.
* **Layout** - rows of a 1-D slice are wrapped so that each line fits into
  ``linewidth`` characters, nested dimensions are separated by ``dim - 1`` newlines
  and indented to line up with the opening brackets after ``tensor(``.
* **Suffixes** - ``size=``/``dtype=`` suffixes that torch adds itself come first,
  followed by the caller's suffixes (``requires_grad=True``, ``grad_fn=<...>``);
  a suffix moves to a new line when it would make the last line too long.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from gradviz.core.tensors.meta import MetaArray

__all__ = ["format_tensor", "get_printoptions", "set_printoptions"]

_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth), as in torch.
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options, with the same semantics as ``torch.set_printoptions``.

    ``profile`` (``"default"``, ``"short"`` or ``"full"``) is applied first and the
    explicit arguments override it.  Like torch, ``sci_mode`` is always assigned,
    so calling this without ``sci_mode`` resets it to automatic (``None``).
    """
    if profile is not None and profile in _PROFILES:
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current options as a dict that can be passed to :func:`set_printoptions`."""
    return dataclasses.asdict(_OPTS)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

# (numpy kind, itemsize) -> torch dtype name; keyed this way so byte order is irrelevant.
_TORCH_DTYPES: dict[tuple[str, int], str] = {
    ("f", 2): "torch.float16",
    ("f", 4): "torch.float32",
    ("f", 8): "torch.float64",
    ("i", 1): "torch.int8",
    ("i", 2): "torch.int16",
    ("i", 4): "torch.int32",
    ("i", 8): "torch.int64",
    ("u", 1): "torch.uint8",
    ("u", 2): "torch.uint16",
    ("u", 4): "torch.uint32",
    ("u", 8): "torch.uint64",
    ("b", 1): "torch.bool",
}
_DEFAULT_FLOAT = "torch.float32"
# dtypes whose name torch leaves out of the repr of a non-empty tensor
_IMPLICIT_DTYPES = frozenset({_DEFAULT_FLOAT, "torch.int64", "torch.bool"})


def _torch_dtype_name(dtype: np.dtype) -> str:
    try:
        return _TORCH_DTYPES[(dtype.kind, dtype.itemsize)]
    except KeyError:
        raise TypeError(f"cannot format arrays of dtype {dtype} like a torch tensor") from None


# ---------------------------------------------------------------------------
# element formatter (torch._tensor_str._Formatter)
# ---------------------------------------------------------------------------


class _Formatter:
    """Decides how every element is rendered, from all the values that will be shown."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)

        if not self.floating:
            for value in np.unique(flat).tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return  # only zeros / nan / inf: int mode, width 1

        magnitudes = np.abs(shown).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if _OPTS.sci_mode is None:
            # Python float division: overflows to inf instead of warning.
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        precision = _OPTS.precision
        if self.sci_mode:
            pattern, extra = f"{{:.{precision}e}}", 0
        elif self.int_mode:
            pattern, extra = "{:.0f}", 1  # room for the trailing "."
        else:
            pattern, extra = f"{{:.{precision}f}}", 0
        for value in np.unique(shown).tolist():
            self.max_width = max(self.max_width, len(pattern.format(value)) + extra)

    def format(self, value: float | int | bool) -> str:
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{{:{self.max_width}.{_OPTS.precision}e}}".format(value)
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{{:.{_OPTS.precision}f}}".format(value)
        return text.rjust(self.max_width)


# ---------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------


def _summarized_data(arr: np.ndarray) -> np.ndarray:
    """The values torch shows when summarising (torch's ``get_summarized_data``)."""
    edge = _OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            # with edge == 0 this is arr[:0] + arr[-0:], i.e. the whole vector, as in torch
            return np.concatenate((arr[:edge], arr[-edge:]))
        return arr
    if not edge:
        return np.empty((0,) * arr.ndim, dtype=arr.dtype)
    rows = _rows_shown(arr.shape[0], True)
    return np.stack([_summarized_data(arr[i]) for i in rows])


def _rows_shown(length: int, summarize: bool) -> list[int]:
    edge = _OPTS.edgeitems
    if summarize and length > 2 * edge:
        return [*range(edge), *range(length - edge, length)]
    return list(range(length))


def _vector_str(vec: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))
    edge = _OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and vec.shape[0] > 2 * edge:
        head = [fmt.format(v) for v in vec[:edge].tolist()]
        tail = [fmt.format(v) for v in vec[-edge:].tolist()]
        items = [*head, " ...", *tail]
    else:
        items = [fmt.format(v) for v in vec.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)

    length = arr.shape[0]
    edge = _OPTS.edgeitems
    if summarize and length > 2 * edge:
        head = [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(edge)]
        tail = [
            _nested_str(arr[i], indent + 1, summarize, fmt) for i in range(length - edge, length)
        ]
        parts = [*head, "...", *tail]
    else:
        parts = [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(length)]
    separator = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _tensor_body(arr: np.ndarray, indent: int) -> str:
    if arr.size == 0:
        return "[]"
    summarize = arr.size > _OPTS.threshold
    fmt = _Formatter(_summarized_data(arr) if summarize else arr)
    return _nested_str(arr, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    pieces = [text]
    # torch's arithmetic, including its off-by-two when there is no newline at all
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def format_tensor(array: np.ndarray, suffixes: Sequence[str] = ()) -> str:
    """Return exactly what torch prints for a CPU tensor holding these values.

    ``array`` is converted with :func:`numpy.asarray`; its dtype selects the torch
    dtype (float16/32/64, int8/16/32/64, uint8/16/32/64, bool).  ``suffixes`` are
    extra ``key=value`` strings such as ``"requires_grad=True"`` or
    ``"grad_fn=<AddBackward0>"``; they follow torch's own ``size=``/``dtype=``
    suffixes, as in torch.  Assumes torch's default dtype is float32.

    >>> format_tensor(np.array([1.0, 2.0], np.float32), ["requires_grad=True"])
    'tensor([1., 2.], requires_grad=True)'
    """
    if isinstance(array, MetaArray):  # no values: the shape, and the dtype unless the default
        dtype_name = _torch_dtype_name(array.dtype)
        own = [f"size={tuple(array.shape)}"]
        if dtype_name != _DEFAULT_FLOAT:
            own.append(f"dtype={dtype_name}")
        return _PREFIX + "..., device='meta', " + ", ".join([*own, *suffixes]) + ")"
    arr = np.asarray(array)
    if isinstance(suffixes, str):
        raise TypeError("suffixes must be a sequence of strings, not a string")
    dtype_name = _torch_dtype_name(arr.dtype)
    indent = len(_PREFIX)
    own: list[str] = []
    if arr.size == 0:
        if arr.ndim != 1:  # like NumPy, spell out any shape other than (0,)
            own.append(f"size={tuple(arr.shape)}")
        if dtype_name != _DEFAULT_FLOAT:  # no values to infer the dtype from
            own.append(f"dtype={dtype_name}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            own.append(f"size={tuple(arr.shape)}")
        if dtype_name not in _IMPLICIT_DTYPES:
            own.append(f"dtype={dtype_name}")
        body = _tensor_body(arr, indent)
    return _add_suffixes(_PREFIX + body, [*own, *suffixes], indent)
