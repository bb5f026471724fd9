"""nn and optim mismatches with torch that a sweep of short user programs found (training
loops, checkpoints, losses and hooks as people write them): each program runs on gradviz
and on torch and the printed results are compared."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz


def _both(oracle, program):
    """``program(T)`` on gradviz and on torch; values as nested lists/arrays."""
    return program(gradviz), program(oracle)


def _close(got, want, rtol=1e-6):
    if isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _close(g, w, rtol)
    elif isinstance(want, float | np.ndarray):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-7)
    else:
        assert got == want


# ---------------------------------------------------------------- optimizer checkpoints
@pytest.mark.parametrize("make", [
    "T.optim.Adam(ps, lr=0.01, amsgrad=True)", "T.optim.AdamW(ps, lr=0.01)",
    "T.optim.SGD(ps, lr=0.1, momentum=0.9)", "T.optim.RMSprop(ps, lr=0.01, momentum=0.5)",
    "T.optim.Adagrad(ps, lr=0.1)"])
def test_loaded_optimizer_shares_the_state_dicts_buffers(oracle, make):
    """torch's load_state_dict keeps the state dict's tensors (cast only when the dtype
    differs), so two optimizers loaded from one live state_dict step the same buffers."""
    def program(T):
        T.manual_seed(5)
        m = T.nn.Linear(3, 1)
        ps = list(m.parameters())
        opt = eval(make, {"T": T, "ps": ps})  # noqa: S307 - our own table
        x = T.randn(4, 3)
        for _ in range(2):
            opt.zero_grad()
            m(x).pow(2).mean().backward()
            opt.step()
        sd = opt.state_dict()
        m2 = T.nn.Linear(3, 1)
        m2.load_state_dict(m.state_dict())
        ps = list(m2.parameters())
        opt2 = eval(make, {"T": T, "ps": ps})  # noqa: S307 - our own table
        opt2.load_state_dict(sd)
        shared = [opt2.state[m2.weight][k] is v for k, v in opt.state[m.weight].items()]
        for o, mod in ((opt, m), (opt2, m2), (opt, m)):
            o.zero_grad()
            mod(x).pow(2).mean().backward()
            o.step()
        sd["param_groups"][0]["lr"] = 7.0  # the groups are copied
        return (shared, m.weight.detach().numpy().astype(float), m2.weight.detach().numpy()
                .astype(float), opt2.param_groups[0]["lr"])

    got, want = _both(oracle, program)
    _close(got, want)
