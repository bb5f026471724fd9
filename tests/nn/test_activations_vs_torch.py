"""SELU, CELU, Mish, LogSigmoid, Hardswish and Hardsigmoid against torch: reprs, values,
gradients and second derivatives (with the nodes torch records for them) over inputs on
both sides of every kink, in place too. The op-table cases (``tests/core/op_cases.py``)
check each row; here each module and function is used as a model would use it."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")

MODULES = ["SELU()", "SELU(inplace=True)", "CELU()", "CELU(0.5, inplace=True)", "Mish()",
           "Mish(True)", "LogSigmoid()", "Hardswish()", "Hardswish(True)", "Hardsigmoid()",
           "Hardsigmoid(inplace=True)"]


@pytest.mark.parametrize("module", MODULES)
def test_repr_matches_torch(module):
    reprs = [repr(eval(f"T.nn.{module}")) for T in (gradviz, torch)]  # noqa: S307
    assert reprs[0] == reprs[1]


def chain(t) -> list[str]:
    """The graph below ``t``, depth first, inputs in order."""
    out, stack = [], [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None:
            continue
        out.append(fn.name())
        stack.extend(next_fn for next_fn, _ in reversed(fn.next_functions))
    return out


def _run(T, module, x, second):
    x = T.from_numpy(x.copy()).requires_grad_()
    y = eval(f"T.nn.{module}")(x * 1)  # noqa: S307 - (x * 1: in place is allowed)
    first, = T.autograd.grad((y * y).sum(), x, create_graph=second)
    out = [y.detach().numpy(), chain(y), first.detach().numpy()]
    if second:
        # in place, torch saves a clone of self (CloneBackward0 in the derivative's graph);
        # gradviz saves self itself, as for silu_ (values agree, the graphs differ there)
        out.append(chain(first) if "True" not in module else None)
        try:
            out.append(T.autograd.grad((first * first).sum(), x)[0].numpy())
        except RuntimeError as exc:  # hardsigmoid: torch cannot differentiate it twice
            out.append(str(exc))
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("module", MODULES)
def test_values_gradients_and_graphs_match_torch(module, dtype):
    # both sides of 0 and of ±3 (hardswish's, hardsigmoid's kinks), and large values
    x = np.array([-30.0, -4.0, -2.5, -0.7, -0.1, 0.3, 1.2, 2.9, 3.5, 25.0], dtype)
    second = dtype == np.float64
    got, want = _run(gradviz, module, x, second), _run(torch, module, x, second)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if isinstance(w, np.ndarray):
            assert g.dtype == w.dtype, f"item {i}"
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, err_msg=f"item {i}")
        else:
            assert g == w, f"item {i}"


@pytest.mark.parametrize("name", ["selu", "celu", "mish", "logsigmoid", "hardswish",
                                  "hardsigmoid"])
def test_functional_form_trains_like_torch(name):
    def steps(T):
        T.manual_seed(0)
        model = T.nn.Linear(3, 4).double()
        opt = T.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(3):
            loss = getattr(T.nn.functional, name)(model(T.randn(5, 3).double() * 3)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses + [p.detach().numpy().copy() for p in model.parameters()]

    for g, w in zip(steps(gradviz), steps(torch), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
