"""Regression tests for the mismatches with torch that differential runs found (issue 12
section 1): each runs the same program on gradviz and on torch and asserts the same values,
dtypes, grad_fn graph, errors and warnings (``torch_compare.assert_same``)."""

from __future__ import annotations

import pytest
from torch_compare import assert_same


def _backward_grads(*tensors_and_loss):
    *leaves, loss = tensors_and_loss
    loss.backward()
    return tuple(t.grad for t in leaves)


# ---------------------------------------------------------------- values and gradients
def test_rsub_of_two_tensors_is_rsub_backward0_with_both_gradients(oracle):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 5.0], dtype=T.float64, requires_grad=True)
        r = T.rsub(a, b, alpha=2)
        return r, _backward_grads(a, b, r.sum())

    got = assert_same(oracle, program)
    assert got[0][0][5] == "RsubBackward0" and got[0][0][2] == "float64"


def test_rsub_of_a_tensor_with_itself_has_zero_gradient(oracle):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        return _backward_grads(x, T.rsub(x, x).sum())

    assert assert_same(oracle, program)[0] == (("tensor", [0.0, 0.0], "float32", (2,), False,
                                                None, None),)


def test_rsub_with_a_number_stays_rsub_backward1(oracle):
    assert_same(oracle, lambda T: T.rsub(T.tensor([1.0], requires_grad=True), 3.0))


@pytest.mark.parametrize("alpha", [2, True, 0.5])
def test_add_of_bools_with_alpha_stays_bool(oracle, alpha):
    assert_same(oracle, lambda T: T.add(T.tensor([True, False]), T.tensor([True, False]),
                                        alpha=alpha))


def test_sub_of_bools_with_alpha_raises_as_torch(oracle):
    assert_same(oracle, lambda T: T.sub(T.tensor([True]), T.tensor([True]), alpha=0.5))


@pytest.mark.parametrize("name", ["sign", "sgn"])
def test_sign_of_nan_is_zero(oracle, name):
    nan = float("nan")
    assert_same(oracle, lambda T: getattr(T.tensor([nan, -nan, 2.0, -3.0, 0.0,
                                                     float("inf")]), name)())


def test_float32_sigmoid_rounds_as_torch_near_one(oracle):
    def program(T):
        s = T.tensor([16.0313, -16.0313, 3.0, 88.0, -90.0]).sigmoid()
        return s, T.nn.functional.binary_cross_entropy(s[:1], T.tensor([0.0]))

    got = assert_same(oracle, program)
    assert got[0][0][1][0] == pytest.approx(0.99999988, abs=1e-8)


@pytest.mark.parametrize("program", [
    lambda T: T.tensor([True]) / 1e-3,
    lambda T: T.tensor([1]) % 1e-3,
    lambda T: T.tensor([3]) * 0.1,
    lambda T: 1.7 - T.tensor([3]),
    lambda T: T.tensor([3]) ** 0.3,
    lambda T: 0.3 / T.tensor([3]),
], ids=["bool_div", "int_mod", "int_mul", "number_minus_int", "int_pow", "number_div_int"])
def test_python_numbers_computed_in_the_default_dtype(oracle, program):
    assert_same(oracle, program)


def test_leaf_detached_in_place_after_use_gets_no_gradient(oracle):
    def program(T):
        x1 = T.tensor([1.0, 2.0], requires_grad=True)
        x2 = T.tensor([3.0, 4.0], requires_grad=True)
        y = (x1 * x2).sum()
        x2.detach_()
        y.backward()
        return x1.grad, x2.grad, x2.requires_grad

    assert assert_same(oracle, program)[0][1] is None


def test_second_backward_raises_before_touching_a_retained_grad(oracle):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * x
        h.retain_grad()
        y = (h * 2).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as exc:
            return h.grad, x.grad, str(exc)[:50]
        return None

    assert assert_same(oracle, program)[0] is not None


def test_view_of_a_base_detached_in_place_keeps_its_grad_fn(oracle):
    def program(T):
        x = T.ones(2, 2, requires_grad=True)
        a = x.clone()
        v = a.t()
        a.detach_()
        return v, a

    assert assert_same(oracle, program)[0][0][5] == "TBackward0"


# ---------------------------------------------------------------- dtypes and shapes
def test_half_is_float16_with_gradients_back_in_float32(oracle):
    def program(T):
        x = T.tensor([1.5, 2.25, -0.7], requires_grad=True)
        h = x.half()
        y = (h * h).sum() + h.sigmoid().sum() + x.to(T.float16).exp().sum()
        y.backward()
        return h, y, x.grad, T.ones(2, dtype=T.float16) + 1

    got = assert_same(oracle, program)
    assert got[0][0][2] == "float16"


def test_bfloat16_is_a_clear_error():
    import gradviz

    with pytest.raises(TypeError, match="no bfloat16"):
        gradviz.ones(2).bfloat16()


@pytest.mark.parametrize("code", [
    "x.sum(0)", "x.mean(0)", "x.mean(-1, keepdim=True)", "x.var(0, correction=0)", "x.var(0)",
    "x.std(0, correction=0)", "x.std(dim=-1)", "x.cumsum(0)", "x.amax(0)", "x.logsumexp(0)",
    "x.max(0).values", "x.swapaxes(0, -1)", "x.transpose(0, -1)", "x.squeeze(0)", "x.flip(0)",
    "x.sum((0,))", "x.mT",
])
def test_zero_dim_tensor_reductions_and_views(oracle, code):
    def program(T):
        x = T.tensor(2.0, requires_grad=True)
        y = eval(code, {"x": x})  # noqa: S307 - the test's own code
        (y * 3).sum().backward()
        return y, x.grad

    oracle.set_warn_always(True)  # torch warns about mT once a process; gradviz every time
    try:
        assert_same(oracle, program)
    finally:
        oracle.set_warn_always(False)


def test_logsumexp_of_nothing_is_minus_infinity(oracle):
    assert_same(oracle, lambda T: (T.ones(0).logsumexp(-1), T.ones(0, 2).logsumexp(0)))


@pytest.mark.parametrize("program", [
    lambda T: T.pow(-1, T.tensor([-1, 2])),
    lambda T: T.tensor([2]) ** T.tensor([-1]),
    lambda T: T.tensor([-2, 1, -1, 0]) ** T.tensor([-1, -2, -3, -1]),
    lambda T: T.tensor(True).square(),
    lambda T: T.tensor([True, False]) ** True,
    lambda T: T.tensor([True, False]) ** False,
    lambda T: T.tensor([True]) ** T.tensor([True]),
    lambda T: True ** T.tensor([True]),
    lambda T: T.where(T.tensor([True, False]), T.tensor([1, 2], dtype=T.int32), T.tensor(5)),
    lambda T: T.where(T.tensor([True, False]), T.tensor([1.0, 2.0]),
                      T.tensor(5.0, dtype=T.float64)),
    lambda T: T.nn.functional.l1_loss(T.tensor([1.0]), T.tensor(2.0, dtype=T.float64)),
], ids=["int_base_negative_exponent", "int_negative_exponent", "int_pow_signs", "bool_square",
        "bool_pow_true", "bool_pow_false", "bool_pow_bool_tensor", "true_pow_bool_tensor",
        "where_zero_dim_int", "where_zero_dim_float", "l1_loss_zero_dim_target"])
def test_integer_and_bool_promotion(oracle, program):
    assert_same(oracle, program)


# ---------------------------------------------------------------- grad_fn graphs
def _graph(fn):
    """A grad_fn and everything below it, as nested names."""
    if fn is None:
        return None
    return (type(fn).__name__, tuple(_graph(f) for f, _ in fn.next_functions))


def test_square_is_pow_backward0(oracle):
    assert_same(oracle, lambda T: T.tensor([1.5, -2.0], requires_grad=True).square())


def test_sum_with_dtype_is_sum_backward0_and_the_gradient_comes_back_in_float32(oracle):
    def program(T):
        x = T.tensor([1.5, -2.0], requires_grad=True)
        y = x.sum(dtype=T.float64)
        y.backward()
        return y, x.grad

    assert assert_same(oracle, program)[0][0][5] == "SumBackward0"


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("flip", [False, True])
def test_loss_broadcasting_expands_only_the_smaller_side_and_warns(oracle, loss, flip):
    def program(T):
        a = T.ones(2, 3, requires_grad=True)
        b = T.tensor([0.5, 1.0, 2.0], requires_grad=True)
        x, y = (b, a) if flip else (a, b)
        out = getattr(T.nn.functional, loss)(x, y)
        out.backward()
        return out, _graph(out.grad_fn), a.grad, b.grad

    got = assert_same(oracle, program)
    assert got[1] and "Using a target size" in got[1][0][1]


def test_outer_is_a_view_times_the_vector(oracle):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0, 5.0], requires_grad=True)
        r = T.outer(a, b)
        r.sum().backward()
        return r, _graph(r.grad_fn), a.grad, b.grad

    assert_same(oracle, program)


@pytest.mark.parametrize("program", [
    lambda T: T.outer(T.ones(2, 2), T.ones(2)),
    lambda T: T.outer(T.ones(2), T.ones(2, 2)),
], ids=["self_2d", "vec2_2d"])
def test_outer_of_a_matrix_raises_as_torch(oracle, program):
    assert_same(oracle, program)


def test_linear_with_a_vector_weight_transposes_it(oracle):
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        r = T.nn.functional.linear(x, w)
        return r, _graph(r.grad_fn)

    assert_same(oracle, program)


def test_setting_a_bool_tensor_from_a_float_one_takes_no_gradient(oracle):
    def program(T):
        x = T.tensor([1.0, 0.0], requires_grad=True)
        m = T.tensor([True, False])
        m[...] = x
        k = T.tensor([1, 2])
        k[0] = x[0]
        return m, k

    assert assert_same(oracle, program)[0][0][4] is False


def test_setting_everything_with_an_ellipsis_is_copy_backwards(oracle):
    def program(T):
        x = T.tensor([1.0, 0.25], requires_grad=True)
        v = x.clamp(max=0.5)
        v[...] = x * 2
        w = x * 1
        w[...] = x[:1]  # broadcast, no ExpandBackward0
        (v.sum() + w.sum()).backward()
        return v.grad_fn.name(), v, _graph(w.grad_fn), x.grad

    assert assert_same(oracle, program)[0][0] == "torch::autograd::CopyBackwards"


def test_masked_assignment_on_a_leaf_names_the_leaf(oracle):
    def program(T):
        x = T.tensor([1.0, -1.0], requires_grad=True)
        x[x > 0] = 0.0

    assert_same(oracle, program)


def test_view_of_a_zero_dim_base_changed_in_place_prints(oracle):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        s = x.sum()
        v = s.view(1)
        s.div_(2)
        text = str(v)
        (v * 3).sum().backward()
        return text, x.grad

    assert "AsStridedBackward0" in assert_same(oracle, program)[0][0]


@pytest.mark.parametrize("code", ["x.sigmoid()", "x.tanh()", "x.cumsum(0)", "x.exp()"])
def test_create_graph_second_derivative_graphs(oracle, code):
    def program(T):
        x = T.tensor([0.3, -0.2, 0.5], requires_grad=True)
        y = eval(code, {"x": x}).sum()  # noqa: S307 - the test's own code
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (g2,) = T.autograd.grad(g.sum(), x, create_graph=True)
        return g, g2, _graph(g.grad_fn), _graph(g2.grad_fn)

    assert_same(oracle, program, digits=6)


@pytest.mark.parametrize("code", ["x.var()", "x.std()", "x.cumsum(0)"])
def test_create_graph_of_a_zero_dim_tensor(oracle, code):
    def program(T):
        x = T.tensor(0.3, requires_grad=True)
        y = eval(code, {"x": x}) * 3  # noqa: S307 - the test's own code
        (g,) = T.autograd.grad(y, x, create_graph=True)
        return g, _graph(g.grad_fn)

    assert_same(oracle, program)


# ---------------------------------------------------------------- silent divergences
@pytest.mark.parametrize("program", [
    lambda T: (T.manual_seed(0), T.rand(2, 2, out=(c := T.zeros(2, 2))), c)[1:],
    lambda T: (T.manual_seed(0), T.randn(3, out=(c := T.zeros(3, dtype=T.float64))), c)[1:],
    lambda T: (T.ones(2, 3, out=(c := T.zeros(2, 3))), c),
    lambda T: (T.zeros(2, out=(c := T.ones(3))), c),  # resized, with torch's warning
    lambda T: (T.matmul(T.ones(2, 3), T.ones(3, 2), out=(c := T.zeros(2, 2))), c, c._version),
    lambda T: (T.add(T.ones(2), 1, out=(c := T.zeros(2))), c, c._version),
    lambda T: (T.mul(T.ones(2), 3, out=(c := T.zeros(2))), c),
    lambda T: (T.div(T.ones(2), 4, out=(c := T.zeros(2))), c),
    lambda T: T.add(T.ones(2, requires_grad=True), 1, out=T.zeros(2)),
    lambda T: T.add(T.ones(2), 1.5, out=T.zeros(2, dtype=T.int64)),
], ids=["rand", "randn_float64", "ones", "zeros_resized", "matmul", "add", "mul", "div",
        "requires_grad", "cast"])
def test_out_arguments_write_into_the_tensor(oracle, program):
    assert_same(oracle, program)


@pytest.mark.parametrize("program", [
    lambda T: T.ones(2, device="cuda"),
    lambda T: T.tensor([1.0], device="cuda:0"),
    lambda T: T.zeros(2, device=T.device("cuda")),
    lambda T: T.rand(2, device="cuda"),
    lambda T: T.ones(2).to("cuda"),
    lambda T: T.ones(2).cuda(),
    lambda T: T.ones(2).to("mps"),
    lambda T: (T.cuda.is_available(), T.cuda.device_count()),
    lambda T: (T.ones(2, device="cpu"), T.ones(2).to("cpu"), T.device("cuda")),
], ids=["ones", "tensor", "zeros_device", "rand", "to", "cuda_method", "to_mps",
        "is_available", "cpu"])
def test_devices_as_a_cpu_only_torch(oracle, program):
    assert_same(oracle, program)


def test_device_context_manager(oracle):
    def program(T):
        with T.device("cpu"):
            a = T.ones(2)
        with T.device("cuda"):
            try:
                T.zeros(2)
            except AssertionError as exc:
                return a, str(exc)
        return None

    assert assert_same(oracle, program)[0] is not None


def test_meta_device_gives_a_meta_tensor_not_a_real_one():
    import gradviz

    t = gradviz.ones(2, 3, device="meta")
    assert t.is_meta and str(t) == "tensor(..., device='meta', size=(2, 3))"


def test_gradgradcheck_takes_a_bare_tensor(oracle):
    def program(T):
        x = T.tensor([[0.5, 1.5], [2.0, -1.0]], dtype=T.float64, requires_grad=True)
        return (T.autograd.gradgradcheck(lambda t: (t * t * t).sum(), x),
                T.autograd.gradcheck(lambda t: (t * t).sum(), x))

    assert assert_same(oracle, program)[0] == (True, True)


@pytest.mark.parametrize("mode", ["floor", "trunc", None])
def test_div_rounding_mode(oracle, mode):
    def program(T):
        x = T.tensor([7.0, -7.0, 5.5], requires_grad=True)
        y = T.tensor([2.0, 2.0, -2.0], requires_grad=True)
        r = T.div(x, y, rounding_mode=mode)
        r.sum().backward()
        return (r, x.grad, y.grad, T.div(T.tensor([7, -7]), 2, rounding_mode=mode),
                x.div(2, rounding_mode=mode))

    assert_same(oracle, program)


def test_div_rounding_mode_checked(oracle):
    assert_same(oracle, lambda T: T.div(T.ones(2), 2, rounding_mode="round"))


# ---------------------------------------------------------------- errors torch raises
@pytest.mark.parametrize("code", ["x.max(0).values", "x.min(1).values", "x.sgn()", "x.sign()"])
def test_second_backward_without_retain_graph(oracle, code):
    def program(T):
        x = T.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
        y = (eval(code, {"x": x}) * 2).sum()  # noqa: S307 - the test's own code
        y.backward()
        try:
            y.backward()
        except RuntimeError as exc:  # (sgn's grad is torch's ZeroTensor: not compared)
            return str(exc)[:60]
        return x.grad  # sign saves nothing: torch accumulates again, as gradviz

    assert_same(oracle, program)


@pytest.mark.parametrize("program", [
    lambda T: T.tensor([True, False]).argmax(),
    lambda T: T.tensor([True, False]).argmin(0),
    lambda T: T.tensor([1, 2]).var(),
    lambda T: T.tensor([1, 2]).std(0),
    lambda T: T.std(T.tensor(False), dim=-1),
    lambda T: T.softmax(T.tensor([1, 2]), 0),
    lambda T: T.softmax(T.tensor([[1, 2]]), 0),
    lambda T: T.log_softmax(T.tensor([1, 2]), 0),
    lambda T: T.nn.functional.log_softmax(T.tensor([[True]]), 0),
    lambda T: T.nn.functional.linear(T.ones(2, dtype=T.float64), T.ones(3, 2), T.ones(3)),
    lambda T: T.nn.functional.linear(T.ones(4, 3, 2, dtype=T.float64), T.ones(3, 2)),
    lambda T: T.allclose(T.ones(2), T.ones(2, dtype=T.float64)),
    lambda T: T.allclose(T.ones(2), T.ones(2, dtype=T.int64)),
    lambda T: T.sub(T.tensor([True]), T.tensor([True]), alpha=0.5),
    lambda T: T.ones(2, 2).sum(dim=(0, 0)),
    lambda T: T.nn.functional.mse_loss(T.tensor([True]), T.tensor([True])),
    lambda T: T.nn.functional.mse_loss(T.tensor([1]), T.tensor([1])),
], ids=["argmax_bool", "argmin_bool", "var_int", "std_int", "std_bool_0d", "softmax_int",
        "softmax_int_not_last", "log_softmax_int", "log_softmax_bool", "linear_float64_bias",
        "linear_float64_batched", "allclose_float64", "allclose_int", "sub_bool_alpha",
        "sum_repeated_dim", "mse_bool", "mse_long"])
def test_errors_as_torch(oracle, program):
    got = assert_same(oracle, program)
    assert got[0][0] == "raised"


def test_linear_module_with_float64_input_raises(oracle):
    def program(T):
        T.manual_seed(0)
        return T.nn.Linear(2, 3)(T.ones(2, dtype=T.float64))

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("base", ["2 ** x", "x ** T.ones(2, requires_grad=True)", "x.exp()"])
def test_version_error_names_the_op_as_torch(oracle, base):
    def program(T):
        x = T.ones(2, requires_grad=True)
        y = eval(base, {"x": x, "T": T})  # noqa: S307 - the test's own code
        y.add_(1)
        y.sum().backward()

    assert "output 0 of" in assert_same(oracle, program)[0][2]


def test_hook_returning_a_size_is_named_torch_size(oracle):
    def program(T):
        x = T.ones(2, requires_grad=True)
        x.register_hook(lambda g: g.shape)
        x.sum().backward()

    assert "torch.Size" in assert_same(oracle, program)[0][2].replace("gradviz.", "torch.")


# ---------------------------------------------------------------- warnings and arguments
def test_softmax_without_dim_warns_as_torch(oracle):
    def program(T):
        x = T.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=T.float64)
        return T.nn.functional.softmax(x), T.nn.functional.log_softmax(x[0])

    got = assert_same(oracle, program, digits=12)
    assert [w[0] for w in got[1]] == ["UserWarning", "UserWarning"]


@pytest.mark.parametrize("program", [
    lambda T: T.ones(0, 2).mean(0),
    lambda T: T.ones(2, 0).mean(1, keepdim=True),
    lambda T: T.ones(0).mean(),
], ids=["mean_dim", "mean_keepdim", "mean_all"])
def test_mean_of_nothing_is_nan_without_numpy_warnings(oracle, program):
    assert_same(oracle, program)


def test_grad_of_a_non_leaf_warns_only_while_unset(oracle):
    def program(T):
        y = T.ones(2, requires_grad=True) * 2
        y.grad = T.ones(2)
        return y.grad

    assert assert_same(oracle, program)[1] == ()


def test_relu_in_place(oracle):
    def program(T):
        x = T.tensor([-1.0, 2.0], requires_grad=True)
        y = x * 1
        r = T.nn.functional.relu(y, inplace=True)
        r.sum().backward()
        return r is y, r, y._version, x.grad

    assert assert_same(oracle, program)[0][0] is True


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target, smoothing", [("probabilities", 0.0), ("probabilities", 0.1),
                                               ("indices", 0.1), ("indices_ignored", 0.2)])
def test_cross_entropy_probabilities_and_label_smoothing(oracle, reduction, target, smoothing):
    def program(T):
        x = T.tensor([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]], dtype=T.float64, requires_grad=True)
        t = (T.tensor([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype=T.float64)
             if target == "probabilities" else T.tensor([1, 2]))
        extra = {"ignore_index": 1} if target == "indices_ignored" else {}
        r = T.nn.functional.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                          **extra)
        r.sum().backward()
        return r, _graph(r.grad_fn), x.grad

    assert_same(oracle, program, digits=12)


@pytest.mark.parametrize("code", ["(x * x).sum()", "(x * x * x).sum()", "(x * 2).sum()",
                                  "(x.exp() + x.sin() + x.cos()).sum()"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_version_of_autograd_grad_results_counts_the_gradients_added(oracle, code,
                                                                     create_graph):
    def program(T):
        x = T.tensor([0.5, 1.5], requires_grad=True)
        y = eval(code, {"x": x})  # noqa: S307 - the test's own code
        (g,) = T.autograd.grad(y, x, create_graph=create_graph)
        return g._version, g

    assert_same(oracle, program, digits=6)


@pytest.mark.parametrize("program", [
    lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.long),
    lambda T: T.ones(2, 3) @ T.ones(3, dtype=T.long),
    lambda T: T.ones(2, dtype=T.float64) @ T.ones(2),
], ids=["float_long_matrices", "float_matrix_long_vector", "double_float_vectors"])
def test_matmul_of_two_dtypes_raises_torchs_message(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"
