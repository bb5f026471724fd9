"""``torch.testing.assert_close``: values equal within a tolerance (torch's defaults per
dtype), with torch's message naming how many elements differ and by how much.

    >>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0000001]))
"""

from __future__ import annotations

import numpy as np

from gradviz.core.tensors.tensor import Tensor
from gradviz.torch_alias import missing_attribute

__all__ = ["assert_close"]

_TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Fail with an AssertionError unless ``actual`` and ``expected`` agree: shapes, dtypes
    (``check_dtype``) and every value within ``atol + rtol * |expected|``."""
    a = actual._data if isinstance(actual, Tensor) else np.asarray(actual)
    b = expected._data if isinstance(expected, Tensor) else np.asarray(expected)
    if a.shape != b.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match: "
                             f"torch.Size({list(a.shape)}) != torch.Size({list(b.shape)}).")
    if check_dtype and isinstance(actual, Tensor) and isinstance(expected, Tensor) \
            and a.dtype != b.dtype:
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match: "
                             f"{actual.dtype} != {expected.dtype}.")
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is None:
        rtol, atol = _TOLERANCES.get(a.dtype.name, (0.0, 0.0))
    close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    kind = "Scalars" if a.ndim == 0 else "Tensor-likes"
    bad = int((~close).sum())
    common = np.result_type(a, b) if np.result_type(a, b).kind == "f" else np.float64
    diff = np.abs(a.astype(common) - b.astype(common))
    where = np.unravel_index(int(np.argmax(np.where(close, -1, diff))), a.shape) if a.ndim \
        else ()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(b.astype(common))
    rwhere = np.unravel_index(int(np.argmax(np.where(close, -1, rel))), a.shape) if a.ndim \
        else ()
    text = (f"{kind} are not close!\n\nMismatched elements: {bad} / {a.size} "
            f"({100 * bad / a.size:.1f}%)\n"
            f"Greatest absolute difference: {diff[where]} at index {tuple(map(int, where))} "
            f"(up to {atol} allowed)\n"
            f"Greatest relative difference: {rel[rwhere]} at index {tuple(map(int, rwhere))} "
            f"(up to {rtol} allowed)")
    raise AssertionError(msg or text)


__getattr__ = missing_attribute(__name__)
