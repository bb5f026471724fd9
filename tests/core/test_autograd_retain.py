"""Freeing saved values, as torch 2.x: backward frees what the nodes saved, a second
backward through freed buffers fails with torch's message, ``retain_graph`` keeps them
(and defaults to ``create_graph``), and ``create_graph`` warns as torch does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.core.autograd.engine import CREATE_GRAPH_WARNING
from gradviz.core.autograd.function import FREED_MESSAGE


# ---------------------------------------------------------------- freeing saved values
def test_second_backward_through_freed_buffers(raises_as_torch, maybe_torch):
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError, FREED_MESSAGE, lambda: run(maybe_torch))
    assert FREED_MESSAGE.startswith("Trying to backward through the graph a second time")


def test_scalar_operand_is_saved_too(raises_as_torch, maybe_torch):
    def run(lib):  # MulBackward0 saves the wrapped 2: freed by the first backward
        x = lib.ones(2, requires_grad=True)
        y = (x * 2).sum()
        y.backward()
        y.backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError, FREED_MESSAGE, lambda: run(maybe_torch))


@pytest.mark.parametrize("expr", ["(x + x).sum()", "(x - 1).sum()", "x.sum() + 1",
                                  "(x + x).view(2, 1).sum()", "x.t().sum()"])
def test_no_error_where_nothing_was_saved(expr, libs):
    grads = []
    for lib in libs:
        x = lib.ones(2, requires_grad=True)
        y = eval(expr, {"x": x})  # noqa: S307
        y.backward()
        once = x.grad.tolist()
        y.backward()  # nothing was freed: torch allows it, so do we
        assert x.grad.tolist() == [2 * g for g in once]
        grads.append(x.grad.tolist())
    assert all(g == grads[0] for g in grads)


def test_retain_graph_keeps_buffers():
    x = gradviz.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [6.0, 6.0]
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_defaults_to_create_graph():
    x = gradviz.ones(2, requires_grad=True)
    y = (x * x).sum()
    with pytest.warns(UserWarning) as record:
        y.backward(create_graph=True)
    assert str(record[0].message) == CREATE_GRAPH_WARNING
    y.backward()  # the graph was kept
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    g = gradviz.ones(2, requires_grad=True)
    z = (g * g).sum()
    gradviz.autograd.grad(z, g, create_graph=True)
    assert gradviz.autograd.grad(z, g)[0].tolist() == [2.0, 2.0]


def test_create_graph_backward_warns_as_torch(oracle):
    # torch warns once per process: ask a fresh one
    code = ("import torch; x = torch.ones(2, requires_grad=True); "
            "(x * x).sum().backward(create_graph=True)")
    done = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    assert f"UserWarning: {CREATE_GRAPH_WARNING} (Triggered internally" in done.stderr
    x = gradviz.ones(2, requires_grad=True)
    for _ in range(2):  # gradviz warns every time; Python's filters decide what is shown
        with pytest.warns(UserWarning, match="create a reference cycle"):
            (x * x).sum().backward(create_graph=True)
    gradviz.autograd.grad((x * x).sum(), x, create_graph=True)  # grad() does not warn


def test_create_graph_grad_is_in_the_graph(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns only once per process
            (x * x).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        assert x.grad.grad_fn.name() == "torch::autograd::CopyBackwards"
        assert re.fullmatch(r"tensor\(\[2\., 4\.\], grad_fn=<CopyBackwards>\)", repr(x.grad))
        g = x.grad
        x.grad = None
        g.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]  # d(sum 2x)/dx


def test_saved_values_after_freeing():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    s = y.sum()
    s.backward()
    with pytest.raises(RuntimeError) as info:
        y.grad_fn._saved_self  # noqa: B018
    assert str(info.value) == FREED_MESSAGE
    assert s.grad_fn._saved_self_sym_sizes == (2,)  # non-tensor arguments stay



def test_grads_never_share_memory_with_each_other_or_with_given_gradients():
    """AccumulateGrad takes a gradient without copying only when nothing else holds it."""
    a = gradviz.ones(3, requires_grad=True)
    b = gradviz.ones(3, requires_grad=True)
    (a + b).sum().backward()  # AddBackward0 hands the same gradient to both leaves
    given = gradviz.full((3,), 2.0)
    c = gradviz.ones(3, requires_grad=True)
    (c + 0).backward(given)  # the given gradient flows through unchanged
    d = gradviz.ones(3, requires_grad=True)
    d.backward(given)
    grads = [a.grad, b.grad, c.grad, d.grad, given]
    for i, g in enumerate(grads):
        for h in grads[i + 1:]:
            assert not np.shares_memory(g._data, h._data)
    a.grad.add_(5)
    assert b.grad.tolist() == [1.0, 1.0, 1.0] and given.tolist() == [2.0, 2.0, 2.0]
    assert c.grad.tolist() == d.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_backward_that_fails_half_way_has_freed_the_nodes_that_ran(libs):
    """As torch's engine: each node releases its saved tensors as soon as it has run."""
    for lib in libs:
        x = lib.ones(3, requires_grad=True)
        b = x.clone().exp()
        d = (b * 3).sin()  # SinBackward0 runs (and frees) before ExpBackward0 fails
        b.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            d.sum().backward()
        with pytest.raises(RuntimeError) as info:
            d.grad_fn._saved_self  # noqa: B018
        assert str(info.value) == FREED_MESSAGE
        assert x.grad is None
