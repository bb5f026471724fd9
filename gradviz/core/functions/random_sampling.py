"""Sampling from distributions as torch does on the CPU: ``multinomial`` and ``exponential_``.

    >>> import gradviz as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 4, replacement=True)
    tensor([2, 2, 1, 2])

Without replacement (and for one sample) torch divides the probabilities by exponential
draws and keeps the largest (the Gumbel-max trick); with replacement it searches a
cumulative sum, one uniform per sample. Both are reproduced, so seeded samples are torch's.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.functions.random import _fill_in_place, _generator, _type_name, _write
from gradviz.core.tensors.tensor import Tensor


def _exponential_into(arr, lambd, gen):
    if arr.dtype.kind != "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_type_name(arr.dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    _write(arr, gen.exponential(arr.size, float(lambd), arr.dtype))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with Exp(lambd) values in place: torch's numbers for a seed."""
    gen = _generator(generator, "exponential_")
    return _fill_in_place(self, lambda arr: _exponential_into(arr, lambd, gen))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categories of each row of ``input`` (weights, not necessarily
    summing to one): ``gradviz.multinomial(probs, 2)``."""
    gen = _generator(generator, "multinomial")
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_name(probs.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if replacement and num_samples > 1:
        if (probs < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if not np.isfinite(probs).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        if (probs.sum(-1) <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        return Tensor._make(gen.multinomial_with_replacement(probs, int(num_samples)))
    if not (np.all(probs < np.inf) and np.all(probs >= 0)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (probs.sum(-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = np.empty_like(probs)
    _exponential_into(q, 1.0, gen)
    keys = probs / q
    if num_samples == 1:
        return Tensor._make(np.argmax(keys, axis=-1, keepdims=True).astype(np.int64))
    order = np.argsort(-keys, axis=-1, kind="stable")  # topk: the largest first
    return Tensor._make(order[..., :num_samples].astype(np.int64))


def method_multinomial(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)
