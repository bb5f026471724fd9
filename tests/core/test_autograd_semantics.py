"""Every autograd semantic point of torch 2.x, on gradviz.

The graph is rebuilt on every forward; gradients accumulate; saved values are
freed by backward (``retain_graph`` defaults to ``create_graph``); grad modes; the
version-counter check; grad_fn objects; higher-order gradients; ``autograd.grad``;
``backward(inputs=)``; ``gradcheck``; and a 100,000-op chain. Messages are compared
literally and, when torch is installed, with torch's own.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.core.engine import CREATE_GRAPH_WARNING
from gradviz.core.function import FREED_MESSAGE
from gradviz.core.ops import pointwise as P

VERSION_HINT = (
    " Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def version_message(type_name, shape, origin, version, expected=0):
    where = f", which is output 0 of {origin}," if origin else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name} {shape}]{where} is at version {version}; expected version "
        f"{expected} instead." + VERSION_HINT
    )


# ---------------------------------------------------------------- a dynamic graph
def test_graph_is_rebuilt_on_every_forward():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    first = (x * x).sum()
    second = (x * x).sum()
    assert first.grad_fn is not second.grad_fn
    assert first.grad_fn.next_functions[0][0] is not second.grad_fn.next_functions[0][0]
    # both graphs end in the same AccumulateGrad while they live, as in torch
    acc_1 = first.grad_fn.next_functions[0][0].next_functions[0][0]
    acc_2 = second.grad_fn.next_functions[0][0].next_functions[0][0]
    assert acc_1 is acc_2 and acc_1.variable is x


def test_control_flow_changes_the_graph():
    x = gradviz.tensor(3.0, requires_grad=True)
    names = []
    for step in range(3):
        y = x
        for _ in range(step + 1):
            y = y * 2 if step % 2 else y + 1
        names.append(y.grad_fn.name())
        y.backward()
    assert names == ["AddBackward0", "MulBackward0", "AddBackward0"]
    assert x.grad.item() == 1 + 4 + 1


def test_gradients_accumulate_across_backward_calls():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert x.grad is first  # accumulated in place into the same tensor
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and x.grad is not first


def test_tutorial_jacobian_products(oracle):
    results = []
    for lib in (gradviz, oracle):
        inp = lib.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(lib.ones_like(out), retain_graph=True)
        out.backward(lib.ones_like(out), retain_graph=True)
        results.append(repr(inp.grad))
    assert results[0] == results[1]
    assert "[8., 4., 4., 4., 4.]" in results[0]


def test_a_tensor_used_twice_gets_one_summed_gradient(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(("x", g.tolist())))
        y.register_hook(lambda g, seen=seen: seen.append(("y", g.tolist())))
        (y * 2 + y * 3 + x).sum().backward()
        assert seen == [("y", [5.0, 5.0]), ("x", [6.0, 6.0])]
        assert x.grad.tolist() == [6.0, 6.0]


def test_nodes_run_in_torchs_order(oracle):
    orders = []
    for lib in (gradviz, oracle):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        order = []
        a = x * 2
        b = a * 3
        c = a * 4
        d = x.exp()
        for name, t in (("a", a), ("b", b), ("c", c), ("d", d)):
            t.register_hook(lambda g, name=name, order=order: order.append(name))
        (c + b + d).sum().backward()
        orders.append(order)
    assert orders[0] == orders[1]


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

# ---------------------------------------------------------------- implicit and given gradients
def test_implicit_grad_only_for_scalar_outputs(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward(), RuntimeError,
                    "grad can be implicitly created only for scalar outputs",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward())
    x = gradviz.tensor([[2.0]], requires_grad=True)
    (x * x).backward()  # one element, any shape: allowed
    assert x.grad.tolist() == [[4.0]]


@pytest.mark.parametrize("shape", [(3,), (2, 1), ()])
def test_gradient_shape_is_checked(shape, raises_as_torch, maybe_torch):
    message = (f"Mismatch in shape: grad_output[0] has a shape of torch.Size({list(shape)}) and "
               "output[0] has a shape of torch.Size([2]).")
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward(gradviz.ones(shape)),
                    RuntimeError, message,
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward(
                        maybe_torch.ones(shape)))


def test_given_gradient_weights_the_backward():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(gradviz.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]
    x.grad = None
    (x * x).sum().backward(gradviz.tensor(3.0))
    assert x.grad.tolist() == [6.0, 12.0]


def test_gradient_argument_types(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward([1.0, 1.0]),
                    TypeError, "gradients can be either Tensors or None, but got float",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward([1.0, 1.0]))
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).sum().backward(2.0),
                    TypeError, "'float' object is not iterable",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).sum().backward(2.0))


def test_backward_on_tensor_without_grad(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(1).sum().backward(), RuntimeError,
                    "element 0 of tensors does not require grad and does not have a grad_fn",
                    lambda: maybe_torch.ones(1).sum().backward())


def test_autograd_backward_of_several_tensors(raises_as_torch, maybe_torch):
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    gradviz.autograd.backward([(x * x).sum(), (x * 2).sum()])
    assert x.grad.tolist() == [4.0, 6.0]
    x.grad = None
    gradviz.autograd.backward([x * x, x * 2], [gradviz.ones(2), gradviz.ones(2) * 3])
    assert x.grad.tolist() == [8.0, 10.0]

    def too_few(lib):
        y = lib.ones(2, requires_grad=True)
        lib.autograd.backward([y.sum(), y.sum()], [lib.tensor(1.0)])

    raises_as_torch(lambda: too_few(gradviz), RuntimeError, "got 2 tensors and 1 gradients",
                    lambda: too_few(maybe_torch))

    def second_without_grad(lib):
        y = lib.ones(2, requires_grad=True)
        lib.autograd.backward([(y * 2).sum(), lib.ones(2).sum()])

    raises_as_torch(lambda: second_without_grad(gradviz), RuntimeError,
                    "element 1 of tensors does not require grad and does not have a grad_fn",
                    lambda: second_without_grad(maybe_torch))


# ---------------------------------------------------------------- grad modes
def test_no_grad_context():
    x = gradviz.ones(2, requires_grad=True)
    assert gradviz.is_grad_enabled()
    with gradviz.no_grad():
        assert not gradviz.is_grad_enabled()
        y = x * 2
    assert gradviz.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_nested_grad_modes():
    x = gradviz.ones(2, requires_grad=True)
    with gradviz.no_grad():
        with gradviz.enable_grad():
            assert gradviz.is_grad_enabled()
            y = x * 2
            with gradviz.set_grad_enabled(False):
                z = x * 2
            assert gradviz.is_grad_enabled()
        w = x * 2
        with gradviz.no_grad():
            pass
        assert not gradviz.is_grad_enabled()
    assert (y.requires_grad, z.requires_grad, w.requires_grad) == (True, False, False)
    assert gradviz.is_grad_enabled()


def test_grad_mode_restored_after_exceptions():
    with pytest.raises(KeyError):
        with gradviz.no_grad():
            raise KeyError
    assert gradviz.is_grad_enabled()

    @gradviz.no_grad()
    def fails():
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert gradviz.is_grad_enabled()


def test_grad_mode_decorators():
    x = gradviz.ones(2, requires_grad=True)

    @gradviz.no_grad()
    def off(t):
        """Docstring kept."""
        return t * 2

    @gradviz.no_grad
    def off_bare(t):
        return t * 2

    @gradviz.enable_grad()
    def on(t):
        return t * 2

    @gradviz.enable_grad
    def on_bare(t):
        return t * 2

    @gradviz.set_grad_enabled(False)
    def set_off(t):
        return t * 2

    assert gradviz.is_grad_enabled()  # decorating does not change the mode
    assert not off(x).requires_grad and not off_bare(x).requires_grad
    assert not set_off(x).requires_grad
    assert off.__name__ == "off" and off.__doc__ == "Docstring kept."
    with gradviz.no_grad():
        assert on(x).requires_grad and on_bare(x).requires_grad
    assert gradviz.is_grad_enabled()


def test_set_grad_enabled_as_a_function():
    x = gradviz.ones(2, requires_grad=True)
    gradviz.set_grad_enabled(False)
    try:
        assert not gradviz.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        gradviz.set_grad_enabled(True)
    assert gradviz.is_grad_enabled() and (x * 2).requires_grad
    with gradviz.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_inference_mode():
    x = gradviz.ones(2, requires_grad=True)
    with gradviz.inference_mode():
        assert not (x * 2).requires_grad
    with gradviz.no_grad(), gradviz.inference_mode(False):
        assert not gradviz.is_grad_enabled()  # inference_mode(False) leaves grad mode alone

    @gradviz.inference_mode
    def f(t):
        return t * 2

    assert not f(x).requires_grad and gradviz.is_grad_enabled()


def test_grad_modes_match_torch(libs):
    for lib in libs:
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
        with lib.set_grad_enabled(False):
            c = x * 2
        assert (a.requires_grad, b.requires_grad, c.requires_grad) == (False, True, False)
        assert lib.is_grad_enabled()


# ---------------------------------------------------------------- the version counter
def _modified_after_save(lib, dtype="float32"):
    a = lib.ones(3, requires_grad=True, dtype=getattr(lib, dtype))
    b = a * 1
    c = b * b
    b.mul_(2)
    c.sum().backward()


@pytest.mark.parametrize("dtype,name", [("float32", "gradviz.FloatTensor"),
                                        ("float64", "gradviz.DoubleTensor")])
def test_version_check_on_saved_inputs(dtype, name, raises_as_torch, maybe_torch):
    raises_as_torch(lambda: _modified_after_save(gradviz, dtype), RuntimeError,
                    version_message(name, [3], "Mul", 1),
                    lambda: _modified_after_save(maybe_torch, dtype))


def test_version_check_on_saved_results(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(2, 3, requires_grad=True)
        c = a.sigmoid()
        c.add_(1)
        c.sum().backward()

    # a saved result is named by the node that saved it (a saved input by its grad_fn now)
    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [2, 3], "Sigmoid", 1),
                    lambda: run(maybe_torch))


def test_version_check_counts_every_change(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = a.exp()
        b.mul_(2)
        b.add_(1)
        b.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], "Exp", 2),
                    lambda: run(maybe_torch))


def test_version_check_names_the_current_grad_fn_of_inputs(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        c = b.sin()
        b.add_(1)
        c.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], "Add", 1),
                    lambda: run(maybe_torch))


def test_version_check_on_plain_tensor(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3)
        w = lib.ones(3, requires_grad=True)
        c = a * w
        a.add_(1)
        c.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], None, 1),
                    lambda: run(maybe_torch))


def test_in_place_change_of_unsaved_tensor_is_fine(libs):
    for lib in libs:
        a = lib.ones(3, requires_grad=True)
        b = a * 1
        c = b + 1  # AddBackward0 saves nothing
        b.mul_(2)
        c.sum().backward()
        assert a.grad.tolist() == [1.0, 1.0, 1.0]


def _in_place_on_views(lib):
    """Programs that change a tensor in the graph through a view; what each observes."""
    seen = []
    x = lib.ones(3, requires_grad=True).clone()
    x[:2].mul_(lib.full((2,), 3.0, requires_grad=True))
    x.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        x.sum().backward()  # CopySlices freed what its MulBackward0 saved
    w = lib.ones(2, requires_grad=True)
    c = lib.zeros(3)
    u = c[1:]  # a view of a constant, taken before the constant changes through another
    c[:2].add_(w)
    seen += [u.requires_grad, u.is_leaf, type(u.grad_fn).__name__]
    (u * lib.tensor([5.0, 7.0])).sum().backward()
    seen.append(w.grad.tolist())
    a = lib.ones(3, requires_grad=True)
    x = a * 2
    v = x[1:]
    x.mul_(3)  # the base itself changes: the old view is regenerated over its new grad_fn
    seen += [type(v.grad_fn).__name__, type(v.grad_fn.next_functions[0][0]).__name__]
    v.sum().backward()
    seen.append(a.grad.tolist())
    a = lib.arange(6.0).reshape(2, 3).requires_grad_()
    x = a * 1
    x[0][1:] = lib.tensor([10.0, 20.0])  # setitem on a view of a view
    seen += [x.tolist(), [type(n).__name__ for n, _ in x.grad_fn.next_functions]]
    x.sum().backward()
    seen.append(a.grad.tolist())
    a = lib.ones(3, requires_grad=True)
    y = a.clone()[:2]
    y.exp_()
    z = y * 1
    y.add_(1)  # exp_ saved its result: now out of date
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    seen.append(str(info.value).replace("torch.", "gradviz.").split(" Hint")[0])
    return seen


def test_in_place_through_views_as_torch(oracle):
    assert _in_place_on_views(gradviz) == _in_place_on_views(oracle)


def test_in_place_through_views():
    seen = _in_place_on_views(gradviz)
    assert seen[:4] == [True, False, "AsStridedBackward0", [0.0, 5.0]]
    assert seen[4:7] == ["AsStridedBackward0", "MulBackward0", [0.0, 6.0, 6.0]]
    assert seen[7:10] == [[[0.0, 10.0, 20.0], [3.0, 4.0, 5.0]], ["MulBackward0", "NoneType"],
                          [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]]
    assert seen[10] + VERSION_HINT == version_message("gradviz.FloatTensor", "[2]", "AsStrided",
                                                       2, 1)


def test_in_place_ops_are_recorded():
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    b.mul_(3)
    b.add_(1)
    assert b.grad_fn.name() == "AddBackward0"
    assert b.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert b.tolist() == [4.0, 7.0] and b._version == 2
    (b * b).sum().backward()
    assert a.grad.tolist() == [24.0, 42.0]  # 2b * 3


def test_in_place_op_reading_itself(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        b.mul_(b)  # saves b as `other`, then changes it
        b.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [2], "Mul", 1),
                    lambda: run(maybe_torch))


def test_in_place_on_leaf_that_requires_grad(raises_as_torch, maybe_torch):
    def add(lib):
        lib.ones(3, requires_grad=True).add_(1)

    def iadd(lib):
        a = lib.ones(3, requires_grad=True)
        a += 1

    message = "a leaf Variable that requires grad is being used in an in-place operation."
    raises_as_torch(lambda: add(gradviz), RuntimeError, message, lambda: add(maybe_torch))
    raises_as_torch(lambda: iadd(gradviz), RuntimeError, message, lambda: iadd(maybe_torch))
    a = gradviz.ones(3, requires_grad=True)
    with gradviz.no_grad():
        a.add_(1)  # allowed, as an optimizer step
    assert a.tolist() == [2.0, 2.0, 2.0] and a._version == 1 and a.is_leaf


def test_setitem_on_leaf_that_requires_grad(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        a[0] = 2

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    "a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.", lambda: run(maybe_torch))


def test_retain_grad_follows_in_place_changes(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.add_(1)  # a new grad_fn: the retained .grad is the gradient of the new value
        (y * y).sum().backward()
        assert y.grad.tolist() == [6.0, 10.0]
        assert x.grad.tolist() == [12.0, 20.0]


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


# ---------------------------------------------------------------- backward(inputs=)
def test_backward_inputs_limits_accumulation(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        assert x.grad.tolist() == [3.0, 4.0] and w.grad is None
        (x * w).sum().backward(inputs=w)
        assert w.grad.tolist() == [1.0, 2.0] and x.grad.tolist() == [3.0, 4.0]


def test_backward_inputs_non_leaf(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = y * 2
        z.sum().backward(inputs=[y], retain_graph=True)
        assert x.grad is None
        assert y.retains_grad and y.grad.tolist() == [2.0, 2.0]
        z.sum().backward()
        assert y.grad.tolist() == [4.0, 4.0] and x.grad.tolist() == [6.0, 6.0]


def test_backward_inputs_errors(raises_as_torch, maybe_torch):
    def run(lib, inputs):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward(inputs=inputs(lib))

    raises_as_torch(lambda: run(gradviz, lambda lib: []), RuntimeError,
                    "`inputs` argument to `backward()` cannot be empty.",
                    lambda: run(maybe_torch, lambda lib: []))
    raises_as_torch(lambda: run(gradviz, lambda lib: [lib.ones(2)]), RuntimeError,
                    "can't retain_grad on Tensor that has requires_grad=False",
                    lambda: run(maybe_torch, lambda lib: [lib.ones(2)]))
    unused = gradviz.ones(2, requires_grad=True)
    x = gradviz.ones(2, requires_grad=True)
    (x * x).sum().backward(inputs=[unused])  # unreachable: allowed, nothing accumulated
    assert unused.grad is None and x.grad is None


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


# ---------------------------------------------------------------- deep graphs
def test_a_chain_of_100000_ops_backpropagates():
    x = gradviz.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 1.0
    y.sum().backward()  # an iterative engine: no RecursionError
    assert x.grad.tolist() == [1.0]
    assert y.item() == 50_001.0
    del y  # freeing the long chain must not overflow the stack either


def test_a_deep_chain_of_create_graph_grads():
    x = gradviz.tensor(0.5, dtype=gradviz.float64, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y.sin()
    (g,) = gradviz.autograd.grad(y, x, create_graph=True)
    (h,) = gradviz.autograd.grad(g, x)
    v, d1 = 0.5, 1.0
    for _ in range(3000):  # forward-mode reference for the first derivative
        v, d1 = math.sin(v), d1 * math.cos(v)
    assert g.item() == pytest.approx(d1, rel=1e-9)
    assert math.isfinite(h.item())


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


def test_relu_gives_zero_where_it_is_flat_even_to_a_nan_gradient(libs):
    """torch's threshold_backward: 0 where the input was <= 0, whatever arrives there."""
    for lib in libs:
        x = lib.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
        x.relu().backward(lib.tensor([float("nan"), 1.0, float("inf"), float("nan")]))
        got = x.grad.tolist()
        assert got[0] == 0.0 and got[1] == 1.0 and got[2] == 0.0 and math.isnan(got[3])
