"""``nn.utils.rnn.pad_sequence`` and ``optim.lr_scheduler.ReduceLROnPlateau`` against
torch."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True, "padding_value": -1.0},
                                    {"batch_first": True, "padding_side": "left"}])
def test_pad_sequence_matches_torch(kwargs):
    seen = []
    for T in (gradviz, torch):
        a = T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
        b = T.tensor([[7.0, 8.0]], requires_grad=True)
        out = T.nn.utils.rnn.pad_sequence([a, b], **kwargs)
        (out * T.arange(float(out.numel())).reshape(out.shape)).sum().backward()
        seen.append((str(out), out.grad_fn.name(), a.grad.tolist(), b.grad.tolist()))
    assert seen[0] == seen[1]


@pytest.mark.parametrize("kwargs", [{}, {"mode": "max", "factor": 0.5, "patience": 1,
                                         "cooldown": 1},
                                    {"threshold_mode": "abs", "threshold": 0.1,
                                     "patience": 0, "min_lr": 0.02}])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    metrics = [1.0, 0.9, 0.95, 0.91, 0.9, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9] * 2
    seen = []
    for T in (gradviz, torch):
        opt = T.optim.SGD([T.nn.Parameter(T.ones(1))], lr=0.1)
        scheduler = T.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        lrs = []
        for m in metrics:
            opt.step()
            scheduler.step(m)
            lrs.append(scheduler.get_last_lr()[0])
        seen.append(lrs)
    np.testing.assert_allclose(seen[0], seen[1], rtol=1e-15)
    assert len(set(seen[0])) > 1
