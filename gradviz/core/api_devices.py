"""``torch.set_default_device`` and ``torch.get_default_device``: the device factories use
when given none (``"cpu"``; CUDA and MPS are accepted here and fail when a tensor is made, as
in a CPU-only torch build), re-exported by ``gradviz``.

    >>> torch.get_default_device()
    device(type='cpu')
"""

from __future__ import annotations

from gradviz.core.tensors import devices
from gradviz.core.tensors.tensor import CPU, device

__all__ = ["get_default_device", "set_default_device"]


def set_default_device(device_):
    """Make factories without ``device=`` use ``device_`` (None: back to the CPU)."""
    devices.default[0] = None if device_ is None else device(device_)


def get_default_device():
    """The device factories use by default."""
    chosen = devices.default[0]
    if chosen is None:
        return CPU
    devices.check_device(chosen)
    return chosen
