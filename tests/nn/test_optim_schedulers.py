"""RMSprop, Adagrad and the learning-rate schedulers against torch: the same float64
model trained the same steps ends with the same parameters, and each scheduler gives
the same learning rates epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")

OPTIMIZERS = {
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_full": ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True,
                                 "weight_decay": 0.1}),
    "adagrad": ("Adagrad", {"lr": 0.1}),
    "adagrad_full": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1,
                                 "initial_accumulator_value": 0.5}),
}


def _train(T, name, options):
    rng = np.random.default_rng(0)
    w = T.from_numpy(rng.standard_normal((3, 2))).requires_grad_()
    x = T.from_numpy(rng.standard_normal((5, 3)))
    opt = getattr(T.optim, name)([w], **options)
    for _ in range(4):
        opt.zero_grad()
        ((x @ w).tanh() ** 2).sum().backward()
        opt.step()
    return w.detach().numpy(), str(opt.state_dict()["param_groups"])


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_optimizer_matches_torch(key):
    name, options = OPTIMIZERS[key]
    got, want = _train(gradviz, name, options), _train(torch, name, options)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-14)
    assert got[1] == want[1]


SCHEDULERS = {
    "step": "StepLR(opt, step_size=3, gamma=0.5)",
    "multistep": "MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.3)",
    "exponential": "ExponentialLR(opt, gamma=0.9)",
    "cosine": "CosineAnnealingLR(opt, T_max=4, eta_min=0.001)",
    "lambda": "LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)",
}


def _lrs(T, text):
    opt = T.optim.SGD([T.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = eval(f"T.optim.lr_scheduler.{text}")  # noqa: S307 - our own table
    lrs = []
    for _ in range(12):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs, opt.param_groups[0]["lr"]


@pytest.mark.parametrize("key", SCHEDULERS)
def test_scheduler_matches_torch(key):
    assert _lrs(gradviz, SCHEDULERS[key]) == _lrs(torch, SCHEDULERS[key])
