"""Tensor's random in-place fills and sampling methods (``uniform_``, ``normal_``,
``random_``, ``bernoulli_``, ``bernoulli``, ``exponential_``, ``multinomial``), drawing
torch's numbers from ``gradviz.core.functions.random``."""

from __future__ import annotations

from gradviz.core.functions import random, random_sampling


class TensorRandom:
    uniform_ = random.uniform_
    normal_ = random.normal_
    random_ = random.random_
    bernoulli_ = random.bernoulli_
    bernoulli = random.method_bernoulli
    exponential_ = random_sampling.exponential_
    multinomial = random_sampling.method_multinomial
