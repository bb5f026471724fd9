"""Custom Functions with several outputs, ``once_differentiable``,
``register_post_accumulate_grad_hook``, torch's top-level in-place functions and the
profiler, each run on gradviz and on torch."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")
LIBS = [gradviz, torch]


def _split_function(T):
    class Split(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x.sin() + y

        @staticmethod
        def backward(ctx, g_prod, g_sin):
            x, y = ctx.saved_tensors
            return g_prod * y + g_sin * x.cos(), g_prod * x + g_sin

    return Split


@pytest.mark.parametrize("use", ["both", "first", "second"])
def test_function_with_several_outputs_matches_torch(use):
    seen = []
    for T in LIBS:
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
        y = T.tensor([1.5, 0.25, -0.5], dtype=T.float64, requires_grad=True)
        a, b = _split_function(T).apply(x, y)
        loss = {"both": (a * b).sum(), "first": (a ** 2).sum(), "second": b.exp().sum()}[use]
        loss.backward()
        seen.append((str(a), str(b), x.grad.numpy().copy(), y.grad.numpy().copy(),
                     a.grad_fn.name(), b.grad_fn.name()))
    got, want = seen
    assert got[:2] == want[:2] and got[4:] == ("SplitBackward", "SplitBackward") == want[4:]
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)
    np.testing.assert_allclose(got[3], want[3], rtol=1e-12)


def test_once_differentiable_backward_runs_once_and_refuses_a_second_derivative():
    for T in LIBS:
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            @T.autograd.function.once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                assert not x.requires_grad or not (x * 1).requires_grad  # recorded nothing
                return grad * 3 * x ** 2

        x = T.tensor(2.0, requires_grad=True)
        w = T.tensor(1.5, requires_grad=True)
        (g,) = T.autograd.grad(Cube.apply(x) * w, x, create_graph=True)
        assert g.item() == 18.0 and g.requires_grad
        with pytest.raises(RuntimeError, match="trying to differentiate twice a function "
                                               "that was marked with @once_differentiable"):
            g.backward()


def test_post_accumulate_grad_hook_matches_torch():
    seen = []
    for T in LIBS:
        w = T.tensor([1.0, 2.0], requires_grad=True)
        grads = []
        handle = w.register_post_accumulate_grad_hook(
            lambda p, grads=grads: grads.append(p.grad.tolist()))
        (w * w).sum().backward()
        (w * 3).sum().backward()
        handle.remove()
        w.sum().backward()
        with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
            (w * 2).register_post_accumulate_grad_hook(print)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            T.ones(1).register_post_accumulate_grad_hook(print)
        seen.append((grads, w.grad.tolist()))
    assert seen[0] == seen[1] == ([[2.0, 4.0], [5.0, 7.0]], [6.0, 8.0])


@pytest.mark.parametrize("name", ["sin_", "exp_", "abs_", "sigmoid_", "tanh_", "zero_",
                                  "erf_", "log1p_"])
def test_top_level_inplace_functions_match_torch(name):
    results = []
    for T in LIBS:
        x = T.tensor([0.5, -1.25, 2.0])
        out = getattr(T, name)(x)
        results.append((out is x, str(x), x._version))
    assert results[0] == results[1] and results[0][0]


def test_profiler_tables_the_recorded_ops():
    x = gradviz.ones(2, 3, requires_grad=True)
    with gradviz.autograd.profiler.profile() as prof:
        z = x
        for _ in range(4):
            z = (z / 2) * x
        with gradviz.autograd.profiler.record_function("loss"):
            loss = z.sum()
        loss.backward()
    rows = {e.key: e for e in prof.key_averages()}
    assert rows["aten::div"].count == rows["aten::mul"].count == 4
    assert rows["aten::sum"].count == 1 and rows["loss"].count == 1
    assert rows["loss"].cpu_time_total >= rows["aten::sum"].self_cpu_time_total
    assert rows["autograd::engine::evaluate_function: MulBackward0"].count == 4
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    lines = table.splitlines()
    assert lines[1].split()[:2] == ["Name", "Self"] and "# of Calls" in lines[1]
    assert len(lines) == 3 + 3 + 2 and lines[-1].startswith("Self CPU time total: ")
    with gradviz.profiler.profile(activities=[gradviz.profiler.ProfilerActivity.CPU]) as p2:
        (x * 2).sum()
    assert sorted(e.key for e in p2.key_averages()) == ["aten::mul", "aten::sum"]
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        gradviz.autograd.profiler.profile(use_cuda=True)


def _passthrough(T):
    class Pass(T.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
            return args

        @staticmethod
        def backward(ctx, *grads):
            return grads

    return Pass


def _show(grads):
    return [None if g is None else g.tolist() for g in grads]


@pytest.mark.parametrize("use", ["p * q", "p", "p * 2 + r"])
def test_inputs_returned_as_is_and_node_hooks_match_torch(use):
    """An input returned as-is and marked non-differentiable stays so; a node with several
    outputs hands its pre- and post-hooks one gradient per output (None where none
    arrived); its post-hooks see the gradients for inputs that need none, as torch's."""
    seen = []
    for T in LIBS:
        log = []
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0])
        c = T.tensor([0.5, -1.0], requires_grad=True)
        p, q, r = _passthrough(T).apply(a, b, c * 1)
        p.grad_fn.register_prehook(lambda go, log=log: log.append(("pre", _show(go))))
        p.grad_fn.register_hook(lambda gi, go, log=log: log.append(("post", _show(gi),
                                                                    _show(go))))
        eval(use, {"p": p, "q": q, "r": r}).sum().backward()  # noqa: S307 - our own table
        single, = _passthrough(T).apply(b)
        seen.append((q.requires_grad, q.grad_fn is None, single.requires_grad, log,
                     a.grad.tolist(), None if c.grad is None else c.grad.tolist()))
    assert seen[0] == seen[1]


def _view_functions(T):
    class ViewOut(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.view(-1)

        @staticmethod
        def backward(ctx, g):
            return g.view(2, 2)

    class Copy(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return _passthrough(T), ViewOut, Copy


@pytest.mark.parametrize("case", [
    "P.apply(x * 1)[0].relu_()", "P.apply(T.ones(2))[0].relu_()", "V.apply(x * 1).mul_(2)",
    "C.apply(x * 1).mul_(2)", "P.apply(x * 1)[0][0].mul_(2)", "P.apply(x)[0].mul_(2)",
    "P.apply(x * 1, x * 2)[1].add_(1)", "P.apply(x * 1)[0].detach().add_(1)",
    "T.nn.functional.relu(P.apply(x * 1)[0], inplace=True)"])
def test_custom_function_views_refuse_in_place_changes_as_torch(case):
    """Outputs that are inputs returned as-is or views made in forward may not be changed
    in place (torch's check: the custom backward would be bypassed); a leaf passed through
    stays untouched."""
    seen = []
    for T in LIBS:
        P, V, C = _view_functions(T)
        x = T.ones(2, 2, requires_grad=True)
        try:
            out = eval(case, {"T": T, "P": P, "V": V, "C": C, "x": x})  # noqa: S307
            result = (out.tolist(), None if out.grad_fn is None else type(out.grad_fn).__name__)
        except RuntimeError as e:
            result = str(e)
        seen.append((result, x.tolist()))
    assert seen[0] == seen[1]
