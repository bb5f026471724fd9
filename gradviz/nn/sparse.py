"""``Embedding``: a learnable lookup table from integer ids to vectors.

    emb = torch.nn.Embedding(10, 3)
    emb(torch.tensor([[1, 2], [4, 9]])).shape
    torch.Size([2, 2, 3])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.functions import nn_layers as F
from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn import init
from gradviz.nn.module import Module
from gradviz.nn.parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """``num_embeddings`` vectors of size ``embedding_dim``, drawn from N(0, 1) (the
    ``padding_idx`` row zero, and it gets no gradient)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            kind = to_numpy_dtype(dtype, "Embedding") if dtype is not None \
                else get_default_dtype().np
            self.weight = Parameter(Tensor._make(np.zeros((num_embeddings, embedding_dim),
                                                          kind)), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding holding ``embeddings`` (frozen unless ``freeze=False``)."""
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)
