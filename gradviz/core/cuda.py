"""``torch.cuda`` as a CPU-only torch build answers it: no CUDA device.

    >>> import gradviz as torch
    >>> torch.cuda.is_available()
    False
"""

from __future__ import annotations

from gradviz.core.tensors.devices import device_count, is_available  # noqa: F401

__all__ = ["device_count", "is_available"]
