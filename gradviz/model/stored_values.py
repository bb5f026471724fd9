"""Tensor values and grads kept in a session file, as plain JSON (never pickle).

A saved session is a snapshot: its tensors are not alive when it is loaded, so the
values and ``.grad`` the inspector shows come from here. An array is written as a JSON
list when small, else as base64 of its raw little-endian bytes, always with its dtype
and shape; only numeric dtypes are read back (``frombuffer``: no code runs).

    >>> import numpy as np
    >>> decode_array(encode_array(np.arange(3, dtype=np.int64)))
    array([0, 1, 2])
    >>> decode_array({"dtype": "object", "shape": [1], "data": [0]})
    Traceback (most recent call last):
    ValueError: a session array of dtype 'object' (only numbers are read)
"""

from __future__ import annotations

import base64
import math

import numpy as np

VALUES_CAP = 16 * 2**20  # bytes of values and grads a session keeps, in all
LIST_LIMIT = 64  # arrays up to this many elements are written as JSON lists


def encode_array(a: np.ndarray) -> dict:
    """``{"dtype", "shape", "data" | "b64"}`` for a numeric array."""
    a = np.asarray(a)
    out = {"dtype": a.dtype.name, "shape": list(a.shape)}
    if a.size <= LIST_LIMIT and a.dtype.kind in "biu":
        out["data"] = a.ravel().tolist()
    elif a.size <= LIST_LIMIT and a.dtype.kind == "f" and np.isfinite(a).all():
        out["data"] = a.ravel().tolist()
    else:
        le = a.astype(a.dtype.newbyteorder("<"), copy=False)
        out["b64"] = base64.b64encode(np.ascontiguousarray(le).tobytes()).decode("ascii")
    return out


def decode_array(d: dict) -> np.ndarray:
    """The array ``encode_array`` wrote; ValueError for anything else."""
    if not isinstance(d, dict):
        raise ValueError(f"a session array must be an object, not {type(d).__name__}")
    name = d.get("dtype")
    try:
        dtype = np.dtype(name) if isinstance(name, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biufc":
        raise ValueError(f"a session array of dtype {name!r} (only numbers are read)")
    shape = d.get("shape")
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise ValueError(f"a session array with shape {shape!r}")
    n = math.prod(shape)
    if "data" in d:
        data = d["data"]
        if not isinstance(data, list) or len(data) != n:
            raise ValueError(f"a session array of shape {shape} with {len(data)} values")
        return np.array(data, dtype=dtype).reshape(shape)
    raw = base64.b64decode(d.get("b64", ""), validate=True)
    if len(raw) != n * dtype.itemsize:
        raise ValueError(f"a session array of shape {shape} with {len(raw)} bytes: truncated")
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)


def _numeric(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind in "biufc"


def collect(model, cap: int = VALUES_CAP) -> tuple[list, list]:
    """``([[node id, value or None, grad or None], ...], [node ids left out])``: the
    values and grads of the model's tensor nodes (live ones, or those it loaded), in
    graph order, until ``cap`` bytes; the ids of those over the cap are the second list."""
    kept, left_out, used = [], [], 0
    for nid, d in model.graph.nodes(data=True):
        if d.get("kind") == "function":
            continue
        value, grad = model.value(nid), model.grad(nid)
        arrays = [a for a in (value, grad) if _numeric(a)]
        if not arrays:
            continue
        size = sum(a.nbytes for a in arrays)
        if used + size > cap:
            left_out.append(nid)
            continue
        used += size
        kept.append([nid, encode_array(value) if _numeric(value) else None,
                     encode_array(grad) if _numeric(grad) else None])
    return kept, left_out
