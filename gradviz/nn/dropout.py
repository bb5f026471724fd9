"""Dropout as torch computes it on the CPU: ``F.dropout`` and ``nn.Dropout``.

The mask is torch's: ``bernoulli_(1 - p)`` drawn from the generator, divided by
``1 - p``, then multiplied in (so the graph shows torch's ``MulBackward0``)::

    >>> import gradviz as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.nn.functional.dropout(torch.ones(6), 0.5)
    tensor([0., 0., 2., 0., 0., 0.])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.functions.random import dropout_noise
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn.module import Module


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = Tensor._make(np.zeros((), input._data.dtype))
    else:
        noise = Tensor._make(dropout_noise(input._data.shape, input._data.dtype, p))
    return input.mul_(noise) if inplace else input * noise


class Dropout(Module):
    """Dropout while training (``model.train()``), the identity in ``model.eval()``."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
