"""``gradcheck``/``gradgradcheck`` and custom ``autograd.Function``s, as torch 2.x:
gradcheck passes on good functions and fails on wrong formulas, hooks and custom
Functions; custom Functions' graph, higher-order gradients and errors.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from autograd_helpers import version_message

import gradviz
from gradviz.core.optable import pointwise as P


# ---------------------------------------------------------------- gradcheck
def _double(*shape):
    return gradviz.randn(*shape, dtype=gradviz.float64, requires_grad=True)


@pytest.mark.parametrize("func", [
    lambda x: (x * x).sin(),
    lambda x: x.tanh() * x.exp(),
    lambda x: (x ** 3).sum(),
    lambda x: x.sigmoid() / (1 + x * x),
])
def test_gradcheck_passes_on_good_functions(func):
    gradviz.manual_seed(0)
    assert gradviz.autograd.gradcheck(func, (_double(3),))


def test_gradcheck_and_gradgradcheck_two_inputs():
    gradviz.manual_seed(1)
    a, b = _double(2, 3), _double(3, 2)
    assert gradviz.autograd.gradcheck(lambda a, b: a @ b, (a, b))
    assert gradviz.autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (a, b))


def test_gradcheck_fails_on_a_wrong_formula(monkeypatch):
    wrong = (lambda grad, self: grad * 2 * self.cos() if hasattr(self, "_data")
             else grad * 2 * np.cos(self),)
    monkeypatch.setattr(P.SIN, "compiled", wrong)
    x = _double(3)
    assert gradviz.autograd.gradcheck(lambda t: t.sin(), (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "):
        gradviz.autograd.gradcheck(lambda t: t.sin(), (x,))


def test_gradcheck_input_checks(raises_as_torch, libs):
    expected = (
        "Input #0 requires gradient and is not a double precision floating point or complex. "
        "This check will likely fail if all the inputs are not of double precision floating "
        "point or complex. ")
    for lib in libs:
        with pytest.warns(UserWarning) as record:
            assert lib.autograd.gradcheck(lambda t: t * 2, (lib.ones(2, requires_grad=True),),
                                          eps=1e-2, atol=1e-2)
        assert str(record[0].message) == expected
    torch = libs[-1] if len(libs) > 1 else None
    raises_as_torch(lambda: gradviz.autograd.gradcheck(lambda t: t * 2, (gradviz.ones(2),)),
                    ValueError,
                    "gradcheck expects at least one input tensor to require gradient, but none "
                    "of them have requires_grad=True.",
                    lambda: torch.autograd.gradcheck(lambda t: t * 2, (torch.ones(2),)))


def test_gradcheck_fails_on_a_wrong_hook():
    def scaled(t):
        y = t * t
        y.register_hook(lambda g: g * 1.5)  # a deliberately wrong custom gradient
        return y

    x = _double(3)
    assert gradviz.autograd.gradcheck(scaled, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError):
        gradviz.autograd.gradcheck(scaled, (x,))


# ---------------------------------------------------------------- custom Functions
def _custom_functions(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y * k

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            ctx.seen_needs = ctx.needs_input_grad
            return grad * y * ctx.k, None, grad * x * ctx.k

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    return Scale, Cube


def test_custom_function(libs):
    for lib in libs:
        Scale, _ = _custom_functions(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0])
        z = Scale.apply(x, 2.0, y)
        assert repr(z) == "tensor([ 6., 16.], grad_fn=<ScaleBackward>)"
        assert z.grad_fn.name() == "ScaleBackward"
        assert re.fullmatch(r"<torch\.autograd\.function\.ScaleBackward object at 0x[0-9a-f]+>",
                            repr(z.grad_fn))
        (acc, _), none_edge = z.grad_fn.next_functions  # one entry per tensor argument
        assert acc.variable is x and none_edge == (None, 0)
        z.sum().backward()
        assert x.grad.tolist() == [6.0, 8.0]
        assert z.grad_fn.seen_needs == (True, False, False)
        with pytest.raises(RuntimeError, match="second time"):
            z.grad_fn.saved_tensors  # noqa: B018 - freed by backward
        with lib.no_grad():
            assert not Scale.apply(x, 2.0, y).requires_grad
        assert not Scale.apply(lib.ones(2), 2.0, y).requires_grad


def test_custom_function_higher_order_and_gradcheck(libs):
    for lib in libs:
        _, Cube = _custom_functions(lib)
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad(g.sum(), x)
        assert g.tolist() == [3.0, 12.0] and g2.tolist() == [6.0, 12.0]
        assert lib.autograd.gradcheck(Cube.apply, (x,))


def test_gradcheck_fails_on_a_wrong_custom_function(libs):
    for lib in libs:
        class WrongSin(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sin()

            @staticmethod
            def backward(ctx, grad):
                return grad * 2  # deliberately wrong: cos(x) is right

        x = lib.tensor([0.3, 1.0], dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradcheck(WrongSin.apply, (x,), raise_exception=False) is False


def test_custom_function_errors(raises_as_torch, libs):
    torch = libs[-1] if len(libs) > 1 else None

    def run(lib, result, forward_only=False):
        class Op(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

        if not forward_only:
            Op.backward = staticmethod(lambda ctx, g: result(lib, g))
        x = lib.ones(2, requires_grad=True)
        Op.apply(x).sum().backward()

    raises_as_torch(lambda: run(gradviz, lambda lib, g: (g, g)), RuntimeError,
                    "function OpBackward returned an incorrect number of gradients (expected 1, "
                    "got 2)", lambda: run(torch, lambda lib, g: (g, g)))
    raises_as_torch(lambda: run(gradviz, lambda lib, g: lib.ones(3)), RuntimeError,
                    "Function OpBackward returned an invalid gradient at index 0 - got [3] but "
                    "expected shape compatible with [2]",
                    lambda: run(torch, lambda lib, g: lib.ones(3)))
    raises_as_torch(lambda: run(gradviz, None, forward_only=True), NotImplementedError,
                    "You must implement either the backward or vjp method for your custom "
                    "autograd.Function to use it with backward mode AD.",
                    lambda: run(torch, None, forward_only=True))

    def modified(lib):
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * x

        a = lib.ones(2, requires_grad=True)
        b = a * 1
        c = Twice.apply(b)
        b.add_(1)
        c.sum().backward()

    raises_as_torch(lambda: modified(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [2], "Add", 1),
                    lambda: modified(torch))
