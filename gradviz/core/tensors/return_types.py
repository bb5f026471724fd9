"""Named tuples returned by ``max(dim)``, ``min(dim)`` and ``aminmax``, printed as torch prints
them."""

from __future__ import annotations

from typing import NamedTuple


class _MinMax(NamedTuple):
    values: object
    indices: object


class max(_MinMax):  # noqa: N801,A001 - torch.return_types.max
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.max(\nvalues={self.values!r},\nindices={self.indices!r})"


class min(_MinMax):  # noqa: N801,A001
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.min(\nvalues={self.values!r},\nindices={self.indices!r})"


def minmax_result(which, values, indices):
    return (max if which == "max" else min)(values, indices)


class aminmax(NamedTuple):  # noqa: N801 - torch.return_types.aminmax
    min: object
    max: object

    def __repr__(self):
        return f"torch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"
