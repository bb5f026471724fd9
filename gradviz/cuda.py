"""``torch.cuda`` as a CPU-only torch build answers it: no GPU, so ``is_available()`` is
False and scripts take their CPU branch (``device = "cuda" if torch.cuda.is_available()
else "cpu"``).

    >>> torch.cuda.is_available(), torch.cuda.device_count()
    (False, 0)
"""

from __future__ import annotations

__all__ = ["device_count", "is_available", "is_initialized", "manual_seed", "manual_seed_all",
           "synchronize"]


def is_available() -> bool:
    """Whether a CUDA GPU can be used: never, on the NumPy engine."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed) -> None:
    """Seeds the GPUs' generators: there are none (torch does nothing either without CUDA)."""


def manual_seed_all(seed) -> None:
    """Seeds every GPU's generator: there are none."""


def synchronize(device=None) -> None:
    raise AssertionError("Torch not compiled with CUDA enabled")


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
