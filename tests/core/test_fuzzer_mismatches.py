"""Regression tests for the mismatches with torch that the differential fuzzer
(``scripts/fuzz_vs_torch.py``, issue 12 section 5) found beyond issue 12's list: each runs
the same program on gradviz and on torch and asserts the same values, dtypes, grad_fn
graph, errors and warnings (``torch_compare.assert_same``)."""

from __future__ import annotations

import pytest
from torch_compare import assert_same


def _grads(*leaves_and_loss):
    *leaves, loss = leaves_and_loss
    loss.backward()
    return tuple(t.grad for t in leaves)


# ---------------------------------------------------------------- arithmetic
@pytest.mark.parametrize("program", [
    lambda T: T.tensor([1.5]).sub_(True),
    lambda T: T.tensor([1.5]).sub_(T.tensor([True])),
    lambda T: T.tensor([1, 2]).sub(True),
    lambda T: T.tensor([True]) - 2,
    lambda T: 2 - T.tensor([True]),
    lambda T: False - T.tensor([0.5]),
    lambda T: T.sub(T.tensor([1.0]), True, alpha=-1),
    lambda T: T.rsub(T.tensor([1, 2]), T.tensor([True, False])),
    lambda T: T.rsub(T.tensor([1.0]), True),
    lambda T: T.tensor([True]).sub(T.tensor([0.5]), alpha=0.5),
    lambda T: T.tensor([True]) - True,
    lambda T: False - T.tensor([[False, True]]),
], ids=["sub_number_in_place", "sub_tensor_in_place", "int_sub_bool", "bool_minus_int",
        "int_minus_bool", "bool_number_minus_float", "sub_bool_alpha", "rsub_bool_tensor",
        "rsub_bool_number", "bool_sub_alpha", "bool_minus_bool_number",
        "bool_number_minus_bools"])
def test_subtraction_with_a_bool_raises_as_torch(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"


def test_addition_with_a_bool_number_still_works(oracle):
    assert_same(oracle, lambda T: (T.tensor([1.0]) + True, T.tensor([1.0]).add(True, alpha=-1)))


@pytest.mark.parametrize("program", [
    lambda T: T.tensor([[1.0, 0.25]], dtype=T.float64) | T.tensor([1.0]),
    lambda T: T.tensor([1.0], dtype=T.float64) | 0,
    lambda T: 2.5 & T.tensor([1.0], dtype=T.float64),
    lambda T: T.tensor([1, 2]) & 2.5,
    lambda T: T.tensor(1.0, dtype=T.float64) & T.tensor([1.0]),
    lambda T: T.tensor([1.0], dtype=T.float16) | T.tensor(1.0),
], ids=["double_or_float", "double_or_int", "float_and_double", "long_and_float",
        "zero_dim_double_and_float", "half_or_zero_dim_float"])
def test_bitwise_of_floats_names_the_promoted_dtype(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"


def test_half_with_an_integer_tensor_stays_half(oracle):
    assert_same(oracle, lambda T: (T.tensor([1.0, 2.0], dtype=T.float16) + T.tensor([3]),
                                   T.tensor([1.0], dtype=T.float16) * T.tensor([3, 4])))


@pytest.mark.parametrize("func", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("number", [2, 0.1, True])
def test_a_number_first_is_a_wrapped_tensor(oracle, func, number):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        r = getattr(T, func)(number, a)
        return r, _grads(a, r.sum()), getattr(T, func)(number, T.tensor([1, 2]))

    if func == "sub" and number is True:
        assert assert_same(oracle, program)[0][0] == "raised"
    else:
        assert_same(oracle, program)


# ---------------------------------------------------------------- indexing and sizes
@pytest.mark.parametrize("program", [
    lambda T: T.cat([T.tensor(0.0), T.tensor(1.0)]),
    lambda T: T.cat([T.tensor([0.0]), T.tensor(1.0)]),
    lambda T: T.tensor(True).size(-1),
    lambda T: T.tensor([[2, 0, 3]]).argmax(3),
    lambda T: T.tensor([[2.0, 1.0]]).argmin(-3, keepdim=True),
    lambda T: T.ones(0, 2).argmax(),
    lambda T: T.ones(0, 2).argmin(0),
], ids=["cat_zero_dim", "cat_zero_dim_second", "size_of_zero_dim", "argmax_dim_range",
        "argmin_dim_range", "argmax_of_nothing", "argmin_along_empty_dim"])
def test_errors_as_torch(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"


def test_arg_extremes_of_a_zero_dim_tensor_and_along_dims(oracle):
    assert_same(oracle, lambda T: (T.tensor(2.0).argmax(0), T.tensor(2.0).argmin(-1, True),
                                   T.ones(0, 2).argmax(1), T.tensor([[2, 0], [1, 3]]).argmin(0)))


# ---------------------------------------------------------------- t[...] = value, fill_
@pytest.mark.parametrize("value", ["2.5", "T.tensor(2.5)", "T.tensor(2.5, requires_grad=True)",
                                   "T.tensor([2.5], requires_grad=True)"])
def test_setting_everything_to_a_number_is_fill_backward3(oracle, value):
    """torch's copy_to: a 0-d value (a number is one) fills, anything else copies."""
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        v = eval(value)
        w = a * 1
        w[...] = v
        return w, _grads(a, *([v] if v.__class__ is not float and v.requires_grad else []),
                         w.sum())

    assert_same(oracle, program)


@pytest.mark.parametrize("code", ["w[0]", "w[:]"])
def test_setting_everything_in_a_view_to_a_number(oracle, code):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        w = a * 1
        v = eval(code)
        v[...] = 2.5
        return w, _grads(a, w.sum())

    assert_same(oracle, program)


def test_setting_a_zero_dim_tensor_to_a_number_copies(oracle):
    def program(T):
        a = T.tensor(1.0, requires_grad=True)
        w = a * 2
        w[...] = 2.5
        return w, _grads(a, w)

    assert_same(oracle, program)


def test_fill_with_a_tensor(oracle):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        s = T.tensor(2.5, requires_grad=True)
        w = (a * 1).fill_(s)
        return w, _grads(a, s, (w * T.tensor([1.0, 3.0])).sum())

    assert_same(oracle, program)
    assert_same(oracle, lambda T: T.zeros(2).fill_(T.tensor([2.5])))


@pytest.mark.parametrize("graph", [True, False])
def test_copy_of_a_number(oracle, graph):
    def program(T):
        w = T.tensor([1.0, 2.0], requires_grad=True) * 1 if graph else T.tensor([1, 2])
        return w.copy_(2.5)

    assert_same(oracle, program)


# ---------------------------------------------------------------- nn, losses, optimizers
def test_linear_views_a_vector_input_as_one_row(oracle):
    def program(T):
        T.manual_seed(0)
        x = T.tensor([0.25, 0.5], requires_grad=True)
        y = T.nn.Linear(2, 3)(x.flip(0))
        return y, _grads(x, y.sum())

    assert_same(oracle, program)


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32"),
                                    ("float64", "float16")])
def test_binary_cross_entropy_wants_the_input_dtype(oracle, dtypes):
    def program(T):
        x = T.tensor([0.25, 0.5], dtype=getattr(T, dtypes[0]), requires_grad=True)
        return T.nn.functional.binary_cross_entropy(x, T.tensor([0.5, 1.0],
                                                                dtype=getattr(T, dtypes[1])))

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32"),
                                    ("float32", "float16")])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_bce_with_logits_computes_in_the_target_dtype(oracle, dtypes, reduction):
    def program(T):
        x = T.tensor([0.25, -0.5], dtype=getattr(T, dtypes[0]), requires_grad=True)
        loss = T.nn.functional.binary_cross_entropy_with_logits(
            x, T.tensor([0.5, 1.0], dtype=getattr(T, dtypes[1])), reduction=reduction)
        return loss, _grads(x, loss.sum())

    assert_same(oracle, program, digits=3)


def test_optimizer_with_a_parameter_twice_warns(oracle):
    def program(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor(-1.0, requires_grad=True)
        opt = T.optim.Adam([a, b, b], lr=0.1)
        (a.sum() + b * 2).backward()
        opt.step()
        return a, b

    assert assert_same(oracle, program)[1][0][0] == "UserWarning"


# ---------------------------------------------------------------- more names and errors
def test_torch_square(oracle):
    def program(T):
        x = T.tensor([1.5, -2.0], requires_grad=True)
        y = T.square(x)
        return y, _grads(x, y.sum()), T.square(T.tensor([True, False]))

    assert_same(oracle, program)


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.hardtanh(T.tensor([True, False])),
    lambda T: T.nn.Hardtanh()(T.tensor([True])),
    lambda T: T.ones(0, 2)[[0, 0]],
    lambda T: T.ones(0)[T.tensor([1, 0])],
    lambda T: T.ones(3, dtype=T.bool).expand(()),
    lambda T: T.ones(3).expand(()),
], ids=["hardtanh_bool", "hardtanh_module_bool", "list_index_of_empty_dim",
        "tensor_index_of_empty", "expand_bool_too_few_sizes", "expand_float_too_few_sizes"])
def test_more_errors_as_torch(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"


# ---------------------------------------------------------------- setitem and copy_
@pytest.mark.parametrize("code", ["w[...] = w.T", "w.copy_(w[None])", "w[0] = w[:, 0]",
                                  "w[...] = w", "w[...] = w.flip(0)"])
def test_copy_into_overlapping_memory(oracle, code):
    """torch refuses a source that partly overlaps the written tensor (when both are dense);
    the same memory, or a strided source it cannot compare, it copies."""
    def program(T):
        w = T.tensor([[0.25, -1.0], [1.5, 1.0]], requires_grad=True) * 1
        exec(code, {"w": w})  # noqa: S102 - the test's own code
        return w

    assert_same(oracle, program)


@pytest.mark.parametrize("value", ["T.ones(2, 2, 2)", "2.0"])
@pytest.mark.parametrize("key", ["...", "0", "x > 0", "[0]"])
def test_setitem_on_a_leaf_checks_the_value_first_except_for_index_put(oracle, key, value):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        exec(f"x[{key}] = {value}", {"x": x, "T": T})  # noqa: S102 - the test's own code
        return x

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("value", ["T.tensor([[1.0], [2.0]])", "T.tensor([[1.0, 2.0]])"])
def test_masked_setitem_value_must_broadcast_to_the_selection(oracle, value):
    def program(T):
        y = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
        y[y > 2] = eval(value, {"T": T})  # noqa: S307 - the test's own code
        return y

    assert_same(oracle, program)


# ---------------------------------------------------------------- alpha, linear, losses, misc
@pytest.mark.parametrize("program", [
    lambda T: T.tensor(2).sub(0.5, alpha=0.5),
    lambda T: T.tensor([2]).add(T.tensor([1.5]), alpha=0.5),
    lambda T: T.tensor([3, -2]).add(1, alpha=2.0),
], ids=["int_minus_float", "int_plus_float_tensor", "float_alpha_that_is_whole"])
def test_a_float_alpha_with_a_float_result_is_fine(oracle, program):
    assert_same(oracle, program)


@pytest.mark.parametrize("program", [
    lambda T: T.add(T.tensor([3, -2]), T.tensor([True, False]), alpha=0.5),
    lambda T: T.tensor([3, -2]).add_(1, alpha=0.5),
    lambda T: T.tensor([3, -2]).sub(1, alpha=0.5),
], ids=["int_plus_bool", "int_in_place", "int_minus_int"])
def test_a_float_alpha_with_an_integral_result_raises(oracle, program):
    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("code", ["x[::2]", "x.view(2, 2).t()[None]", "x.view(2, 2).t()"])
def test_linear_of_a_non_contiguous_input_is_matmul_then_add(oracle, code):
    def program(T):
        T.manual_seed(0)
        x = T.tensor([-1.5, -0.5, 0.25, 2.0], requires_grad=True)
        y = T.nn.Linear(2, 3)(eval(code, {"x": x}))  # noqa: S307 - the test's own code
        return y, _grads(x, y.sum())

    assert_same(oracle, program)


@pytest.mark.parametrize("target", ["[0.5, float('nan'), 1.0]", "[0.5, 1.5, 1.0]"])
def test_binary_cross_entropy_checks_the_target_range(oracle, target):
    def program(T):
        x = T.tensor([0.0, -0.5, 1.5], requires_grad=True).sigmoid()
        return T.nn.functional.binary_cross_entropy(x, T.tensor(eval(target)))  # noqa: S307

    assert assert_same(oracle, program)[0][0] == "raised"


@pytest.mark.parametrize("value", ["v", "v[1]", "v[0, 0]"])
@pytest.mark.parametrize("key", ["v > 0", "[0]"])
def test_index_put_refuses_a_value_on_the_same_memory(oracle, key, value):
    def program(T):
        v = T.tensor([[-1.5, 1.0, -0.5], [3.0, 0.0, 2.5]], requires_grad=True).clamp(min=0)
        exec(f"v[{key}] = {value}", {"v": v})  # noqa: S102 - the test's own code
        return v

    assert_same(oracle, program)


def test_softmax_of_nothing(oracle):
    assert_same(oracle, lambda T: (T.ones(1)[1:].softmax(0), T.ones(2, 0).log_softmax(1)))


@pytest.mark.parametrize("code", ["F.elu(x)", "F.elu(x * 1, inplace=True)", "F.hardtanh(x)",
                                  "F.softplus(x)", "F.silu(x)", "F.leaky_relu(x, 0.1)",
                                  "F.elu(x, 0.5).var()"])
def test_activations_second_derivatives_record_torch_nodes(oracle, code):
    def program(T):
        x = T.tensor([0.25, -1.0, 0.5, 2.0], requires_grad=True)
        y = eval(code, {"x": x, "F": T.nn.functional})  # noqa: S307 - the test's own code
        g, = T.autograd.grad(y.sum(), [x], create_graph=True)
        gg, = T.autograd.grad((g * g).sum(), [x], allow_unused=True)
        return g, gg

    assert_same(oracle, program, digits=6)
