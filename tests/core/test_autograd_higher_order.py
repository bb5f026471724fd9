"""Higher-order gradients and ``autograd.grad``, as torch 2.x: derivatives up to the
third against closed forms and torch, mixed second derivatives, and
``autograd.grad``'s arguments (``grad_outputs``, ``allow_unused``,
``materialize_grads``, ``retain_graph``, ``create_graph``) and errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradviz


# ---------------------------------------------------------------- higher order
def _derivatives(lib, f, values, order):
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    out = [f(x)]
    for k in range(order):
        (g,) = lib.autograd.grad(out[-1].sum(), x, create_graph=k < order - 1)
        out.append(g)
    return [o.detach().numpy() for o in out[1:]]


CLOSED_FORMS = {
    "cube": (lambda t: t ** 3, [lambda v: 3 * v ** 2, lambda v: 6 * v, lambda v: 6 + 0 * v]),
    "sin": (lambda t: t.sin(), [np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)]),
    "tanh": (lambda t: t.tanh(), [lambda v: 1 - np.tanh(v) ** 2,
                                  lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2),
                                  lambda v: (6 * np.tanh(v) ** 2 - 2) * (1 - np.tanh(v) ** 2)]),
    "exp": (lambda t: t.exp(), [np.exp, np.exp, np.exp]),
    "mul_chain": (lambda t: t * t * t * t, [lambda v: 4 * v ** 3, lambda v: 12 * v ** 2,
                                           lambda v: 24 * v]),
    "sin_times_x": (lambda t: t.sin() * t, [lambda v: np.cos(v) * v + np.sin(v),
                                            lambda v: 2 * np.cos(v) - v * np.sin(v),
                                            lambda v: -3 * np.sin(v) - v * np.cos(v)]),
}
VALUES = [-1.5, -0.3, 0.0, 0.7, 2.0]


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_higher_derivatives_match_closed_forms(name):
    f, forms = CLOSED_FORMS[name]
    got = _derivatives(gradviz, f, VALUES, 3)
    v = np.array(VALUES)
    for order, (g, form) in enumerate(zip(got, forms, strict=True), 1):
        np.testing.assert_allclose(g, form(v), rtol=1e-12, atol=1e-12, err_msg=f"order {order}")


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_higher_derivatives_match_torch(name, oracle):
    f = CLOSED_FORMS[name][0]
    for ours, theirs in zip(_derivatives(gradviz, f, VALUES, 3),
                            _derivatives(oracle, f, VALUES, 3), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_cube_second_and_third_derivative_literal():
    x = gradviz.tensor(2.0, requires_grad=True)
    (d1,) = gradviz.autograd.grad(x ** 3, x, create_graph=True)
    (d2,) = gradviz.autograd.grad(d1, x, create_graph=True)
    (d3,) = gradviz.autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)
    assert d1.requires_grad and d2.requires_grad and not d3.requires_grad


def test_mixed_second_derivatives(oracle):
    results = []
    for lib in (gradviz, oracle):
        x = lib.tensor([0.5, 2.0], requires_grad=True)
        w = lib.tensor([3.0, -1.0], requires_grad=True)
        gx, gw = lib.autograd.grad((x * w * x).sum(), [x, w], create_graph=True)
        hx, hw = lib.autograd.grad(gx.sum(), [x, w])
        results.append([t.tolist() for t in (gx, gw, hx, hw)])
    assert results[0] == results[1]
    assert results[0][2] == [6.0, -2.0]  # d/dx sum(2xw) = 2w


def test_second_backward_accumulates_into_leaves():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g,) = gradviz.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


# ---------------------------------------------------------------- autograd.grad
def test_grad_returns_without_accumulating():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (g,) = gradviz.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0]
    assert x.grad is None
    assert not g.requires_grad


def test_grad_with_grad_outputs():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (g,) = gradviz.autograd.grad(y, x, gradviz.tensor([1.0, 10.0]), retain_graph=True)
    assert g.tolist() == [2.0, 40.0]
    (g,) = gradviz.autograd.grad([y, y], x, [gradviz.ones(2), gradviz.ones(2) * 2],
                                 retain_graph=True)
    assert g.tolist() == [6.0, 12.0]
    s = y.sum()
    (g,) = gradviz.autograd.grad([s, s], x)  # the same output twice
    assert g.tolist() == [4.0, 8.0]


def test_grad_of_non_leaf_inputs(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        (g,) = lib.autograd.grad((y * y).sum(), y)
        assert g.tolist() == [6.0, 12.0]


def test_grad_allow_unused(raises_as_torch, maybe_torch):
    def run(lib, **kw):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = lib.tensor([1.0, 2.0], requires_grad=True)
        return lib.autograd.grad((x * x).sum(), [x, z], **kw)

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    "The differentiated Tensor at index 1 appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.",
                    lambda: run(maybe_torch))
    gx, gz = run(gradviz, allow_unused=True)
    assert gx.tolist() == [2.0, 4.0] and gz is None
    gx, gz = run(gradviz, materialize_grads=True)
    assert gz.tolist() == [0.0, 0.0]
    raises_as_torch(lambda: run(gradviz, materialize_grads=True, allow_unused=False), ValueError,
                    "Expected allow_unused to be True or not passed when materialize_grads=True, "
                    "but got: allow_unused=False.",
                    lambda: run(maybe_torch, materialize_grads=True, allow_unused=False))


def test_grad_inputs_must_require_grad(raises_as_torch, maybe_torch):
    def run(lib, inputs):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), inputs(lib, x))

    for inputs in (lambda lib, x: lib.ones(2), lambda lib, x: [x, lib.ones(2)]):
        raises_as_torch(lambda inputs=inputs: run(gradviz, inputs), RuntimeError,
                        "One of the differentiated Tensors does not require grad",
                        lambda inputs=inputs: run(maybe_torch, inputs))
    raises_as_torch(lambda: run(gradviz, lambda lib, x: []), RuntimeError,
                    "`inputs` argument to `grad()` cannot be empty.",
                    lambda: run(maybe_torch, lambda lib, x: []))
    raises_as_torch(lambda: run(gradviz, lambda lib, x: [x, 3]), RuntimeError,
                    "all inputs have to be Tensors or GradientEdges, but got int",
                    lambda: run(maybe_torch, lambda lib, x: [x, 3]))


def test_grad_retain_graph():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    s = (x * x).sum()
    gradviz.autograd.grad(s, x, retain_graph=True)
    assert gradviz.autograd.grad(s, x)[0].tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="second time"):
        gradviz.autograd.grad(s, x)


def test_grad_create_graph_result_prints_grad_fn():
    x = gradviz.tensor([3.0], requires_grad=True)
    (g,) = gradviz.autograd.grad(x ** 2, x, create_graph=True)
    assert repr(g) == "tensor([6.], grad_fn=<MulBackward0>)"
