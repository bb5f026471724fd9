"""Summaries of arrays and shapes as the inspector and the stepper show them (NumPy, no Qt).

    >>> s = summarize(np.array([[4.0, 2.0], [2.0, np.nan]]))
    >>> (s.min, s.max, s.nan, s.count)
    (2.0, 4.0, 1, 4)
    >>> fmt(3.14159265)
    '3.142'

Everything here stays fast on ten million elements (a few tens of milliseconds):
the whole array is reduced once, and histograms of large arrays use a strided
sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TABLE_LIMIT = 200  # at most this many elements are shown cell by cell
HIST_SAMPLE = 1_000_000  # histograms of larger arrays use a strided sample of this size
HEATMAP_SIDE = 512  # heatmaps of larger matrices are shown strided down to this


@dataclass(frozen=True)
class Stats:
    """Summary statistics; min/max/mean/norm ignore NaN and Inf (None if nothing is finite)."""

    count: int
    min: float | None
    max: float | None
    mean: float | None
    norm: float | None
    nan: int
    inf: int


def as_numeric(a: np.ndarray) -> np.ndarray:
    """``a`` as a floating or complex array (bools and ints become float64)."""
    a = np.asarray(a)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    return a


def summarize(a: np.ndarray) -> Stats:
    """min, max, mean, norm and the NaN / Inf counts of ``a``.

    >>> summarize(np.ones(3)).norm
    1.7320508075688772
    """
    a = as_numeric(a).ravel()
    count = int(a.size)
    if a.dtype.kind == "c":
        a = np.abs(a)
    finite = np.isfinite(a)
    n_finite = int(np.count_nonzero(finite))
    nan = inf = 0
    if n_finite != count:
        nan = int(np.count_nonzero(np.isnan(a)))
        inf = count - n_finite - nan
        a = a[finite]
    if not a.size:
        return Stats(count, None, None, None, None, nan, inf)
    lo, hi = float(a.min()), float(a.max())
    return Stats(count, lo, hi, float(a.mean(dtype=np.float64)), _norm(a, max(-lo, hi)), nan, inf)


def _norm(a: np.ndarray, biggest: float) -> float:
    # pairwise float64 summation of the squares: BLAS's float32 norm is off in the 5th digit
    # at ten million elements; scaling keeps huge or tiny values from overflowing to inf
    if biggest == 0:
        return 0.0
    if not 1e-150 < biggest < 1e15:
        return biggest * float(np.sqrt(np.sum(np.square(a / biggest), dtype=np.float64)))
    return float(np.sqrt(np.sum(np.square(a), dtype=np.float64)))


def fmt(x) -> str:
    """One number with 4 significant digits: ``fmt(2/3) == '0.6667'``, ``fmt(4.0) == '4'``."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return f"{x:.4g}"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def shape_text(shape) -> str:
    """A shape as torch prints a tuple: ``(3,)``, ``(5, 3)``; None reads ``''``."""
    if shape is None:
        return ""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_shape(shape) -> str:
    """``(4, 5)`` -> ``'4 × 5'``; a 0-d shape reads ``'scalar'``."""
    shape = tuple(shape or ())
    return " × ".join(str(n) for n in shape) if shape else "scalar"


def stats_line(s: Stats) -> str:
    """The stats as one short line (for lists): ``min 2  max 4  mean 2.4  norm 10.95``."""
    parts = [f"min {fmt(s.min)}", f"max {fmt(s.max)}", f"mean {fmt(s.mean)}",
             f"norm {fmt(s.norm)}"]
    if s.nan:
        parts.append(f"NaN {s.nan}")
    if s.inf:
        parts.append(f"Inf {s.inf}")
    return "  ".join(parts)


def table_cells(a: np.ndarray):
    """``(rows, row_labels, col_labels)`` laying out a small array as a 2-D grid of strings.

    0-d is one cell, a short 1-D array one row, a long one a column, 2-D itself and
    higher ranks one row per index of the leading dimensions.
    """
    a = np.asarray(a)
    if a.ndim == 0:
        return [[fmt(a.item())]], [""], [""]
    if a.ndim == 1:
        if a.size <= 10:
            return [[fmt(v) for v in a.tolist()]], [""], [str(i) for i in range(a.size)]
        return [[fmt(v)] for v in a.tolist()], [str(i) for i in range(a.size)], [""]
    lead = a.shape[:-1]
    grid = a.reshape(-1, a.shape[-1]) if a.size else np.zeros((0, a.shape[-1]))
    if len(lead) == 1:
        row_labels = [str(i) for i in range(lead[0])]
    else:
        row_labels = [",".join(map(str, idx)) for idx in np.ndindex(*lead)]
    rows = [[fmt(v) for v in row] for row in grid.tolist()]
    return rows, row_labels, [str(i) for i in range(a.shape[-1])]


def histogram(a: np.ndarray, stats: Stats, bins: int = 60):
    """``(counts, edges, stride)`` of the finite values; ``stride > 1`` means sampled."""
    a = as_numeric(a).ravel()
    if a.dtype.kind == "c":
        a = np.abs(a)
    stride = max(1, a.size // HIST_SAMPLE)
    if stride > 1:
        a = a[::stride]
    if stats.nan or stats.inf:
        a = a[np.isfinite(a)]
    lo, hi = (stats.min, stats.max) if stats.min is not None else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(a, bins=bins, range=(lo, hi))
    return counts, edges, stride


def heatmap_image(a: np.ndarray):
    """A 2-D float image of ``a`` (strided down to at most ``HEATMAP_SIDE`` per side) and its
    strides; NaN and Inf are left for the image to show as gaps."""
    a = as_numeric(np.asarray(a))
    if a.dtype.kind == "c":
        a = np.abs(a)
    sr = max(1, -(-a.shape[0] // HEATMAP_SIDE))
    sc = max(1, -(-a.shape[1] // HEATMAP_SIDE))
    return np.ascontiguousarray(a[::sr, ::sc], dtype=np.float64), (sr, sc)
