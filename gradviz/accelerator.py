"""``torch.accelerator`` as a CPU-only torch build answers it: no accelerator.

    >>> torch.accelerator.is_available(), torch.accelerator.current_accelerator()
    (False, None)
"""

from __future__ import annotations

from gradviz.torch_alias import missing_attribute

__all__ = ["current_accelerator", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    return False


def current_accelerator(check_available=False):
    return None


def device_count() -> int:
    return 0


def synchronize(device=None) -> None:
    """Nothing to wait for on the CPU."""


__getattr__ = missing_attribute(__name__)
