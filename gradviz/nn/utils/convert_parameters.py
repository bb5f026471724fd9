"""``parameters_to_vector`` (all parameters as one flat vector) and
``vector_to_parameters`` (the reverse, written into the parameters)."""

from __future__ import annotations

from gradviz.core.functions import shape as SH

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """The parameters flattened and joined, in order (recorded, as torch's ``cat``)."""
    return SH.cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Cut ``vec`` into the parameters' shapes and make those the parameters' data."""
    offset = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[offset:offset + n].view_as(p).data
        offset += n
