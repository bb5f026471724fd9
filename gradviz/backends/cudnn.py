"""``torch.backends.cudnn``: the switches scripts set for reproducibility. They are plain
attributes here (there is no cuDNN); ``is_available()`` is False."""

from __future__ import annotations

__all__ = ["benchmark", "deterministic", "enabled", "is_available"]

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    return False
