"""``torch.functional``: the functions torch defines in Python there, under that module's
name (``torch.functional.split``, ``unique``, ``norm``...); all are also ``torch.*``."""

from gradviz.core.api import norm
from gradviz.core.api_elementary import broadcast_tensors, meshgrid
from gradviz.core.api_tensor_ops import chunk, split, unique
from gradviz.core.functions.einsum import einsum, tensordot

__all__ = ["broadcast_tensors", "chunk", "einsum", "meshgrid", "norm", "split", "tensordot",
           "unique"]
