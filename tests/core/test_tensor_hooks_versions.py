"""Tensor hooks and versions as torch 2.x defines them: ``register_hook`` on leaves
and non-leaves (and the checks on hook results), and the version counter that
in-place ops bump and views share.

Each test asserts gradviz's behaviour literally; where torch is installed the same
call is also made on torch and the results compared.
"""

from __future__ import annotations

import pytest

import gradviz


# ---------------------------------------------------------------- register_hook
def test_leaf_hook_sees_and_replaces_the_gradient():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h1 = x.register_hook(lambda g: seen.append(g.tolist()))
    h2 = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert x.grad.tolist() == [30.0, 30.0]
    h2.remove()
    h2.remove()  # removing twice is harmless
    (x * 3).sum().backward()
    assert x.grad.tolist() == [33.0, 33.0]
    assert seen == [[3.0, 3.0], [3.0, 3.0]]
    h1.remove()
    (x * 3).sum().backward()
    assert len(seen) == 2


def test_non_leaf_hook_changes_what_flows_on():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    h = y.register_hook(lambda g: g * 2)
    (y * y).sum().backward(retain_graph=True)
    assert x.grad.tolist() == [36.0, 72.0]  # 2 * (2y) * 3
    h.remove()
    x.grad = None
    (y * y).sum().backward()
    assert x.grad.tolist() == [18.0, 36.0]


def test_hooks_run_before_retain_grad(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.register_hook(lambda g, seen=seen: seen.append(g.tolist()))
        y.retain_grad()
        y.register_hook(lambda g: g + 1)  # registered after retain_grad, still runs first
        (y * y).sum().backward()
        assert seen == [[6.0, 12.0]]
        assert y.grad.tolist() == [7.0, 13.0]
        assert x.grad.tolist() == [21.0, 39.0]


def test_hook_on_tensor_without_grad(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(2).register_hook(lambda g: g), RuntimeError,
                    "cannot register a hook on a tensor that doesn't require gradient",
                    lambda: maybe_torch.ones(2).register_hook(lambda g: g))


@pytest.mark.parametrize("leaf", [True, False])
def test_hook_results_are_checked(raises_as_torch, maybe_torch, leaf):
    def run(lib, hook):
        x = lib.ones(2, requires_grad=True)
        t = x if leaf else x * 2
        t.register_hook(hook)
        (t * 2).sum().backward()

    raises_as_torch(lambda: run(gradviz, lambda g: gradviz.ones(3)), RuntimeError,
                    "hook '<lambda>' has changed the size of value",
                    lambda: run(maybe_torch, lambda g: maybe_torch.ones(3)))
    raises_as_torch(lambda: run(gradviz, lambda g: (g,)), TypeError,
                    "expected Variable, but hook returned 'tuple'",
                    lambda: run(maybe_torch, lambda g: (g,)))
    raises_as_torch(lambda: run(gradviz, lambda g: g.double()), RuntimeError,
                    "hook '<lambda>' has changed the type of value (was gradviz.FloatTensor got "
                    "gradviz.DoubleTensor)",
                    lambda: run(maybe_torch, lambda g: g.double()))


@pytest.mark.parametrize("kind", ["prehook", "posthook"])
def test_grad_fn_hook_results_keep_dtype_and_size(raises_as_torch, maybe_torch, kind):
    def run(lib, change):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        if kind == "prehook":
            y.grad_fn.register_prehook(lambda grads: (change(grads[0]),))
        else:
            y.grad_fn.register_hook(lambda grads_in, grads_out: (change(grads_in[0]), None))
        y.sum().backward()

    raises_as_torch(lambda: run(gradviz, lambda g: g.double()), RuntimeError,
                    "hook '<lambda>' has changed the type of value (was gradviz.FloatTensor got "
                    "gradviz.DoubleTensor)",
                    lambda: run(maybe_torch, lambda g: g.double()))
    raises_as_torch(lambda: run(gradviz, lambda g: g.sum()), RuntimeError,
                    "hook '<lambda>' has changed the size of value",
                    lambda: run(maybe_torch, lambda g: g.sum()))


# ---------------------------------------------------------------- versions
def test_in_place_ops_bump_the_version():
    a = gradviz.ones(3)
    assert a._version == 0
    a.add_(1)
    assert a._version == 1
    before = a
    a += 1
    assert a is before and a._version == 2
    a *= 2
    a -= 1
    a /= 2
    assert a._version == 5
    a[0] = 7
    assert a._version == 6
    a.zero_()
    a.fill_(3)
    assert a._version == 8
    a + 1  # noqa: B018 - out of place: no bump
    assert a._version == 8
    assert a.tolist() == [3.0, 3.0, 3.0]


def test_views_share_the_version_counter(libs):
    for lib in libs:
        a = lib.ones(4)
        v = a[1:]
        w = a.view(2, 2)
        v.add_(1)
        assert a._version == v._version == w._version == 1
        assert a.tolist() == [1.0, 2.0, 2.0, 2.0]
        a.mul_(2)
        assert v._version == 2


def test_out_of_place_results_have_their_own_version():
    a = gradviz.ones(3)
    b = a * 1
    b.add_(1)
    assert a._version == 0 and b._version == 1
