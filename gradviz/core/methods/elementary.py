"""Tensor's methods for the elementary functions of ``functions.elementary``
(``x.log10()``, ``x.trunc()``, ``y.atan2(x)``...) and ``movedim``, ``addmm``, ``baddbmm``."""

from __future__ import annotations

from gradviz.core.functions import elementary as E
from gradviz.core.functions import shape as SH
from gradviz.core.functions.attention import addmm, baddbmm


class TensorElementary:
    """Mixed into Tensor: the method forms of those functions."""

    __slots__ = ()

    log10, trunc, fix, frac = E.log10, E.trunc, E.fix, E.frac
    asinh, acosh, atanh, arcsinh, arccosh, arctanh = (E.asinh, E.acosh, E.atanh, E.arcsinh,
                                                      E.arccosh, E.arctanh)
    erfc, deg2rad, rad2deg = E.erfc, E.deg2rad, E.rad2deg
    atan2, arctan2, hypot, logaddexp, xlogy = E.atan2, E.arctan2, E.hypot, E.logaddexp, E.xlogy
    baddbmm = baddbmm

    def movedim(self, source, destination):
        return movedim(self, source, destination)

    moveaxis = movedim

    addmm = addmm


def movedim(input, source, destination):
    """The dims ``source`` moved to ``destination`` (a permute, PermuteBackward0)."""
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [input._wrap_dim(d) for d in src]
    dst = [input._wrap_dim(d) for d in dst]
    order = [None] * n
    for s, d in zip(src, dst, strict=True):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src)
    order = [next(rest) if o is None else o for o in order]
    return SH.permute(input, *order)
