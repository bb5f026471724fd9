"""Regression tests for the autograd mismatches with torch that the differential fuzzer
(``scripts/fuzz_vs_torch.py``, issue 12 section 5) found: views and grad modes, nan and
infinite gradients, hooks with ``autograd.grad``, second derivatives, inference mode and
custom Functions with several outputs. Each runs the same program on gradviz and on torch
and asserts the same outcome (``torch_compare.assert_same``)."""

from __future__ import annotations

import pytest
from torch_compare import assert_same


def _grads(*leaves_and_loss):
    *leaves, loss = leaves_and_loss
    loss.backward()
    return tuple(t.grad for t in leaves)


# ---------------------------------------------------------------- create_graph graphs
@pytest.mark.parametrize("code", ["x.log1p()", "x.expm1()", "x ** x", "x.abs() ** y",
                                  "3 ** x", "0 ** x", "2.5 ** y"])
def test_second_derivatives_record_scalar_ops_as_torch(oracle, code):
    """torch's formulas add, subtract and multiply Python numbers (AddBackward1,
    SubBackward1, MulBackward1) where the user's ``x + 1`` records AddBackward0."""
    def program(T):
        x = T.tensor([0.25, 1.0, 0.5], requires_grad=True)
        y = T.tensor([0.0, -1.0, 2.0], requires_grad=True)
        g = T.autograd.grad(eval(code).sum(), [x, y], create_graph=True, allow_unused=True)
        gg = [T.autograd.grad(t.sum(), [x, y], allow_unused=True) for t in g if t is not None]
        return g, gg

    assert_same(oracle, program, digits=6)


# ---------------------------------------------------------------- views and grad modes
@pytest.mark.parametrize("change", ["x.sub_(1)", "x.mul_(2)", "v.mul_(2)"])
def test_views_of_a_tensor_changed_under_no_grad_are_regenerated(oracle, change):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        x = a if change.startswith("x.sub") else a * 1
        v = x[0]
        u = x.unsqueeze(0)
        with T.no_grad():
            exec(change, {"x": x, "v": v})  # noqa: S102 - the test's own code
        return v, u, _grads(a, (v * u).sum())

    assert_same(oracle, program)


def test_an_optimizer_step_regenerates_the_views_of_its_parameters(oracle):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        v = a[:1]
        a.grad = T.ones(2)
        T.optim.SGD([a], lr=0.1).step()
        return v, a

    assert_same(oracle, program)


@pytest.mark.parametrize("code", ["a[0:]", "a.unsqueeze(0)", "(a * 2).t()", "a[None][0]"])
def test_a_view_taken_under_no_grad_requires_grad_without_a_gradient(oracle, code):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        with T.no_grad():
            v = eval(code, {"a": a})  # noqa: S307 - the test's own code
        y = v * 2
        y.sum().backward()
        return (v, v.is_leaf, y, a.grad, v.grad,
                [f is None for f, _ in y.grad_fn.next_functions])

    assert_same(oracle, program)


@pytest.mark.parametrize("code", ["v.mul_(2)", "print(v.grad_fn)"])
def test_a_no_grad_view_refuses_in_place_use_as_torch(oracle, code):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        with T.no_grad():
            v = a[0:]
            if code.startswith("print"):
                v.mul_(2)
        exec(code, {"v": v})  # noqa: S102 - the test's own code
        return v

    assert assert_same(oracle, program)[0][0] == "raised"


# ---------------------------------------------------------------- nan, inf and no dof
@pytest.mark.parametrize("code", ["x.relu()", "F.hardtanh(x)", "F.elu(x)",
                                  "F.elu(x * 1, inplace=True)", "x.clamp(min=0).sqrt()",
                                  "1 / x.clamp(min=0)",
                                  "T.maximum(x, T.zeros(3)).log()", "x.max(0).values.log()",
                                  "x.amax().log()"])
def test_nan_and_infinite_gradients_stop_where_torch_stops_them(oracle, code):
    def program(T):
        x = T.tensor([float("nan"), -1.0, 2.0], requires_grad=True) if "clamp" not in code \
            and "maximum" not in code else T.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        y = eval(code, {"x": x, "T": T, "F": T.nn.functional})  # noqa: S307
        return _grads(x, y.sum())

    assert_same(oracle, program, digits=6)


@pytest.mark.parametrize("code", ["x.var(0, correction=2)", "x.std(1, correction=2)",
                                  "x.var(correction=5)", "x.std(correction=3)",
                                  "x.var(1, correction=3)", "T.ones(2, 2).var(0, correction=2)"])
def test_variance_without_degrees_of_freedom(oracle, code):
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = eval(code, {"x": x, "T": T})  # noqa: S307 - the test's own code
        return y, _grads(x, y.sum()) if y.requires_grad else None

    oracle.set_warn_always(True)  # torch warns once a process; gradviz every time
    try:
        assert_same(oracle, program)
    finally:
        oracle.set_warn_always(False)


# ---------------------------------------------------------------- hooks and autograd.grad
@pytest.mark.parametrize("code", ["T.autograd.grad(y, [a], retain_graph=True)",
                                  "T.autograd.grad(y, [a, b], retain_graph=True)",
                                  "T.autograd.grad(b.sum(), [a], allow_unused=True)",
                                  "T.autograd.grad(b, [a], T.ones(2), allow_unused=True)",
                                  "T.autograd.grad(a, [a], T.ones(2))",
                                  "T.autograd.grad((a * 2).sum(), [a], create_graph=True)",
                                  "T.autograd.grad(z.sum(), [a])",
                                  "T.autograd.grad(z, [z], T.ones(2))"])
def test_autograd_grad_runs_the_hooks_of_its_inputs_and_leaf_outputs(oracle, code, capsys):
    """torch runs a leaf's hooks on the gradient autograd.grad captures for it, and on a
    leaf output's own gradient; a non-leaf input is captured after its hooks and not run."""
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0], requires_grad=True)
        a.register_hook(lambda g: print("a", g.tolist()) or g * 2)
        b.register_hook(lambda g: print("b", g.tolist()))
        y = (a * b).sum()
        z = a * 1
        z.register_hook(lambda g: print("z", g.tolist()) or g * 3)
        z.sum().backward()  # (frees z's graph: the last case must not run it again)
        a.grad = None
        got = eval(code, {"T": T, "a": a, "b": b, "y": y, "z": z})  # noqa: S307
        return got, a.grad, b.grad

    assert_same(oracle, program)
    printed = capsys.readouterr().out.splitlines()
    half = len(printed) // 2  # the same hook calls (two leaves made ready by one node run in
    assert sorted(printed[:half]) == sorted(printed[half:])  # another order: not checked)


# ---------------------------------------------------------------- inference mode
@pytest.mark.parametrize("code", ["b * v", "T.matmul(b, v)", "T.maximum(v, b)",
                                  "T.nn.MSELoss()(b, v)", "v.relu_()", "v.mul_(2)",
                                  "v.detach().requires_grad_()", "v.requires_grad_()"])
def test_inference_tensors_are_refused_where_torch_refuses_them(oracle, code):
    def program(T):
        b = T.tensor([-1.0, 3.0, 1.0], requires_grad=True)
        with T.inference_mode():
            v = b.exp()
        return eval(code, {"T": T, "b": b, "v": v})  # noqa: S307 - the test's own code

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("code", ["b - v", "v * 2", "v.sum()", "(v + b).sum()",
                                  "v.clone().mul_(2)"])
def test_inference_tensors_work_where_nothing_is_saved(oracle, code):
    def program(T):
        b = T.tensor([-1.0, 3.0, 1.0], requires_grad=True)
        with T.inference_mode():
            v = b.exp()
            v.mul_(2)  # in place inside the block is fine
        return v, v.requires_grad, v.is_leaf, eval(code, {"b": b, "v": v})  # noqa: S307

    assert_same(oracle, program, digits=6)


def test_backward_from_a_no_grad_view_raises_as_torch(oracle):
    def program(T):
        a = T.tensor([[3.0, 1.0], [-0.25, 3.0]], requires_grad=True)
        with T.no_grad():
            v = a.flatten()
        v.backward(T.ones_like(v))

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("key", ["c > 0", "[1, 0]"])
def test_indexing_saves_its_indices_as_tensors_that_backward_frees(oracle, key):
    def program(T):
        c = T.tensor([0.75, 2.0], dtype=T.float64, requires_grad=True)
        v = eval(f"c[{key}]", {"c": c})  # noqa: S307 - the test's own code
        y = (v * v).sum()
        y.backward(retain_graph=True)
        (v * 2).sum().backward()  # frees the index node's saved indices
        y.backward()

    assert assert_same(oracle, program)[0][0] == "raised"


def test_indexing_shows_its_saved_indices(oracle):
    def program(T):
        c = T.tensor([0.75, 2.0], requires_grad=True)
        return c[[1, 0]].grad_fn._saved_indices  # (a mask shows as its nonzero positions)

    assert_same(oracle, program)


@pytest.mark.parametrize("code", ["a.unsqueeze(-1)", "a[None]"])
def test_masked_setitem_on_a_view_of_a_leaf_names_the_leaf_before_the_overlap(oracle, code):
    def program(T):
        a = T.tensor([-1.5, 2.0, -2.5], requires_grad=True)
        v = eval(code, {"a": a})  # noqa: S307 - the test's own code
        v[v > 0] = v

    assert assert_same(oracle, program)[0][0] == "raised"


def test_expand_checks_the_last_dims_first(oracle):
    assert assert_same(oracle, lambda T: T.ones(2, 3).expand(1, 1))[0][0] == "raised"


@pytest.mark.parametrize("alpha", [-1, 2, 0])
def test_bool_add_takes_alpha_as_a_bool(oracle, alpha):
    m = [[False, False], [True, True]]
    assert_same(oracle, lambda T: (T.add(True, T.tensor(m), alpha=alpha),
                                   T.add(T.tensor(m), T.tensor(m).t(), alpha=alpha)))


def test_backward_of_a_bool_power_refuses_the_bool_subtraction(oracle):
    def program(T):
        a = T.tensor([0.5, -2.0], requires_grad=True)
        T.pow(a, T.tensor([True, False])).sum().backward()

    assert assert_same(oracle, program)[0][0] == "raised"


def test_matrix_vector_second_derivative_records_torchs_outer(oracle):
    def program(T):
        a = T.tensor([[2.0, 3.0], [0.5, -1.0]], requires_grad=True)
        b = T.tensor([0.25, 1.5], requires_grad=True)
        g, = T.autograd.grad(a.matmul(b).sum(), [a], create_graph=True)
        return g, T.autograd.grad(g.sum(), [b])

    assert_same(oracle, program)


# ---------------------------------------------------------------- custom Function, several outputs
def _split(T):
    class Split(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * k, x.exp()

        @staticmethod
        def backward(ctx, ga, gb):
            x, = ctx.saved_tensors
            return ga * ctx.k + gb * x.exp(), None

    return Split


@pytest.mark.parametrize("use", ["a.sum() + b[0]", "b.sum()", "a.sum()", "(a * b).sum()"])
def test_custom_function_with_several_outputs(oracle, use):
    """issue 12 section 1: one node for all outputs (each output's grad_fn), the unused
    output's gradient materialized as zeros, next_functions naming the output number."""
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        a, b = _split(T).apply(x, 2.0)
        y = eval(use, {"a": a, "b": b})  # noqa: S307 - the test's own code
        edges = [(f.name(), n) for f, n in (y.grad_fn.next_functions if y.grad_fn else ())
                 if f is not None]
        y.backward()
        return (a, b, x.grad, a.grad_fn is b.grad_fn, type(a.grad_fn).__name__, edges,
                [(f.name(), n) for f, n in a.grad_fn.next_functions if f is not None])

    assert_same(oracle, program, digits=6)


def test_custom_function_with_several_outputs_hooks_and_second_backward(oracle, capsys):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        a, b = _split(T).apply(x, 3.0)
        b.register_hook(lambda g: print("b", g.tolist()))
        a.retain_grad()
        y = (a + b).sum()
        g, = T.autograd.grad(y, [x], create_graph=True)
        y.backward(retain_graph=True)
        y.backward()
        return g, x.grad, a.grad, T.autograd.grad(y, [x])

    assert assert_same(oracle, program, digits=6)[0][0] == "raised"
    printed = capsys.readouterr().out.splitlines()
    assert printed[:len(printed) // 2] == printed[len(printed) // 2:]
