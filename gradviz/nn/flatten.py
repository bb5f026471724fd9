"""``Flatten``: dims ``start_dim..end_dim`` into one."""

from __future__ import annotations

from gradviz.core.functions import shape as SH
from gradviz.nn.module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim``: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return SH.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
