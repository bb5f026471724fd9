"""``torch.functional``: the functions torch defines in Python there, under that module's
name (``torch.functional.split``, ``unique``, ``norm``...); all are also ``torch.*``."""

from gradviz.core.api import norm
from gradviz.core.api_tensor_ops import chunk, split, unique

__all__ = ["chunk", "norm", "split", "unique"]
