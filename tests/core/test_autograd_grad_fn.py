"""grad_fn objects, as torch 2.x: names and reprs, ``next_functions`` and
``AccumulateGrad``, readable saved values (``_saved_*``), and node pre- and post-hooks
with their result checks.
"""

from __future__ import annotations

import re

import pytest

import gradviz


# ---------------------------------------------------------------- grad_fn objects
def test_grad_fn_names_and_repr():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2 + 1
    assert y.grad_fn.name() == "AddBackward0"
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>",
                        repr(y.grad_fn.next_functions[0][0]))
    assert f"{y.grad_fn}" == repr(y.grad_fn)


def test_next_functions_and_accumulate_grad(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        c = lib.tensor([3.0, 4.0])
        y = x * c
        (acc, nr), no_grad_edge = y.grad_fn.next_functions
        assert nr == 0
        assert no_grad_edge == (None, 0)
        assert acc.name() == "torch::autograd::AccumulateGrad"
        assert type(acc).__name__ == "AccumulateGrad"
        assert acc.variable is x
        assert acc.next_functions == ()
        z = (y + x).sum()
        add = z.grad_fn.next_functions[0][0]
        assert add.name() == "AddBackward0"
        assert add.next_functions[0][0] is y.grad_fn
        assert add.next_functions[1][0] is acc  # one AccumulateGrad per leaf


def test_saved_tensors_are_readable(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = x * w
        assert y.grad_fn._saved_self is x
        assert y.grad_fn._saved_other is w
        e = x.exp()
        r = e.grad_fn._saved_result
        assert r is not e and r.tolist() == e.tolist()
        assert r.grad_fn is e.grad_fn
        assert r.data_ptr() == e.data_ptr()
        p = x ** 3
        assert p.grad_fn._saved_self is x
        assert p.grad_fn._saved_exponent == 3
        m = x * 2
        assert repr(m.grad_fn._saved_other) == "tensor(2)"  # a wrapped number
        assert m.grad_fn._saved_self is None  # not needed: other does not require grad
        assert (x + 2).grad_fn._saved_alpha == 1
        assert x.add(2, alpha=3).grad_fn._saved_alpha == 3


def test_saved_values_print_as_torch(oracle):
    texts = []
    for lib in (gradviz, oracle):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        texts.append([repr(x.exp().grad_fn._saved_result), repr((x * 2.5).grad_fn._saved_other),
                      repr((x * x).grad_fn._saved_self)])
    assert texts[0] == texts[1]


def test_unknown_saved_name():
    y = gradviz.ones(2, requires_grad=True) * 2
    with pytest.raises(AttributeError, match="'MulBackward0' object has no attribute '_saved_x'"):
        y.grad_fn._saved_x  # noqa: B018


def test_node_hooks():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.grad_fn.register_prehook(lambda go: calls.append(("pre", go[0].tolist())))
    handle = y.grad_fn.register_hook(
        lambda gi, go: calls.append(("post", gi[0].tolist(), gi[1], go[0].tolist())))
    y.sum().backward(retain_graph=True)
    assert calls == [("pre", [1.0, 1.0]), ("post", [2.0, 2.0], None, [1.0, 1.0])]
    handle.remove()
    y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
    y.sum().backward()
    assert x.grad.tolist() == [22.0, 22.0]
    assert len(calls) == 3


def test_post_hook_replaces_gradients():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    w = gradviz.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, gi[1]))
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0] and w.grad.tolist() == [1.0, 2.0]


def test_node_hook_results_are_checked(raises_as_torch, maybe_torch):
    def post(lib, result):
        y = lib.ones(2, requires_grad=True) * 2
        y.grad_fn.register_hook(lambda gi, go: result(gi))
        y.sum().backward()

    def pre(lib, result):
        y = lib.ones(2, requires_grad=True) * 2
        y.grad_fn.register_prehook(lambda go: result(go))
        y.sum().backward()

    raises_as_torch(lambda: post(gradviz, lambda gi: (gi[0],)), RuntimeError,
                    "hook '<lambda>' has returned an incorrect number of values (got 1, but "
                    "expected 2)", lambda: post(maybe_torch, lambda gi: (gi[0],)))
    raises_as_torch(lambda: post(gradviz, lambda gi: (gi[0], gi[0])), RuntimeError,
                    "can't replace a None gradient with a non-None value",
                    lambda: post(maybe_torch, lambda gi: (gi[0], gi[0])))
    raises_as_torch(lambda: post(gradviz, list), TypeError,
                    "expected tuple, but hook returned 'list'", lambda: post(maybe_torch, list))
    raises_as_torch(lambda: pre(gradviz, lambda go: go[0]), TypeError,
                    "expected tuple, but hook returned 'Tensor'",
                    lambda: pre(maybe_torch, lambda go: go[0]))
    raises_as_torch(lambda: pre(gradviz, lambda go: go * 2), RuntimeError,
                    "hook '<lambda>' has returned an incorrect number of values (got 2, but "
                    "expected 1)", lambda: pre(maybe_torch, lambda go: go * 2))
