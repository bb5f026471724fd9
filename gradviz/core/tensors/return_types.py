"""Named tuples returned by ``max(dim)`` and ``min(dim)``, printed as torch prints them."""

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
