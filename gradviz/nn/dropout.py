"""Dropout as torch computes it on the CPU: ``F.dropout``, ``nn.Dropout``, and the
channel-wise ``F.dropout2d`` / ``nn.Dropout2d``.

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
    _arguments("dropout", input, training)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = Tensor._make(np.zeros((), input._data.dtype))
    else:
        noise = Tensor._make(dropout_noise(input._data.shape, input._data.dtype, p))
    return input.mul_(noise) if inplace else input * noise


def _arguments(func, input, training):
    """torch's argument checks of the native dropout call (after the probability's)."""
    if not isinstance(input, Tensor):
        kind = type(input)
        name = f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__
        raise TypeError(f"{func}(): argument 'input' (position 1) must be Tensor, not {name}")
    if not isinstance(training, bool):
        raise TypeError(f"{func}(): argument 'train' (position 3) must be bool, not "
                        f"{type(training).__name__}")


_DROPOUT2D_3D = (
    "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
    "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
    "dim. This behavior will change in a future release to interpret the input as one "
    "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
    "dropout behavior, please switch to using dropout1d instead.")
_DROPOUT2D_OTHER = (
    "dropout2d: Received a {n}-D input to dropout2d, which is deprecated and will result in "
    "an error in a future release. To retain the behavior and silence this warning, please "
    "use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
    "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
    "(i.e. 3D or 4D inputs).")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: one draw per (sample, channel), as torch's feature dropout.

    >>> import gradviz as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.nn.functional.dropout2d(torch.ones(2, 3, 1, 1), 0.5).flatten()
    tensor([0., 0., 2., 0., 0., 0.])
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim == 3:
        import warnings

        warnings.warn(_DROPOUT2D_3D, UserWarning, stacklevel=2)
    elif ndim != 4:
        import warnings

        warnings.warn(_DROPOUT2D_OTHER.format(n=ndim), UserWarning, stacklevel=2)
    if p == 0 or not training or input.numel() == 0:
        return input
    shape = input._data.shape[:2] + (1,) * (ndim - 2)
    if p == 1:
        noise = Tensor._make(np.zeros(shape, input._data.dtype))
    else:
        noise = Tensor._make(dropout_noise(shape, input._data.dtype, p))
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


class Dropout2d(Dropout):
    """Channel-wise dropout while training (``model.train()``), the identity in eval."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)
