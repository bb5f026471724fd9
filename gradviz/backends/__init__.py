"""``torch.backends`` as a CPU-only build has it: ``mps.is_available()`` is False, and
``cudnn``'s switches (``deterministic``, ``benchmark``) can be set and change nothing.

    >>> torch.backends.mps.is_available()
    False
"""

from gradviz.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
