"""Every case of ``op_cases`` run by torch and by gradviz on the same float64 values:
forward values, printed output, the grad_fn graph (names, in order, down to the
AccumulateGrad leaves) and the gradient of every input must agree. Bad inputs must
raise torch's exception type with torch's message (``torch.`` type names spelled
``gradviz.``). Skipped when torch is not installed."""

from __future__ import annotations

import operator
import re

import numpy as np
import pytest
from op_cases import CASES

import gradviz


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def grad_fn_chain(t) -> list[str]:
    """The grad_fn graph below ``t`` as indented names, depth first, inputs in order."""
    lines = []
    stack = [(t.grad_fn, 0)]
    while stack:
        fn, depth = stack.pop()
        lines.append("  " * depth + ("None" if fn is None else fn.name()))
        if fn is not None:
            stack.extend((nxt, depth + 1) for nxt, _ in reversed(fn.next_functions))
    return lines


def _run(case, lib, arrays, v):
    inputs = case.inputs(lib, arrays)
    out = case.program(lib, *inputs)
    text, chain = str(out), grad_fn_chain(out)
    try:
        out.backward(lib.from_numpy(v.astype(out.numpy(force=True).dtype)))
    except RuntimeError as exc:  # a NotImplemented grad_fn: its error is what is compared
        return out, text, chain, str(exc)
    # force: torch gives some gradients (sgn's) as ZeroTensors, which refuse a plain numpy()
    grads = [None if x.grad is None else x.grad.numpy(force=True).copy() for x in inputs]
    return out, text, chain, grads


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_case_matches_torch(case, torch):
    arrays = case.arrays()
    rtol, atol, grad_rtol = 1e-10, 1e-12, 1e-9
    if case.float32:  # an op torch runs in float32 only (oneDNN's LSTM layer)
        arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
        rtol, atol, grad_rtol = 1e-5, 1e-6, 1e-4
    ref_out = case.program(torch, *case.inputs(torch, arrays))
    v = np.random.default_rng(3).standard_normal(tuple(ref_out.shape))
    got, got_text, got_chain, got_grads = _run(case, gradviz, arrays, v)
    want, want_text, want_chain, want_grads = _run(case, torch, arrays, v)
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(),
                               rtol=rtol, atol=atol)
    assert got_chain == want_chain
    assert got_text == want_text
    if isinstance(want_grads, str) or isinstance(got_grads, str):
        assert got_grads == want_grads
        return
    for i, (g, w) in enumerate(zip(got_grads, want_grads, strict=True)):
        assert (g is None) == (w is None), f"input {i}"
        if w is not None:
            assert g.shape == w.shape and g.dtype == w.dtype, f"input {i}"
            np.testing.assert_allclose(g, w, rtol=grad_rtol, atol=atol * 10,
                                       err_msg=f"input {i}")


def test_chain_walk_sees_leaves_and_missing_edges():
    a = gradviz.ones(2, dtype=gradviz.float64, requires_grad=True)
    out = (a * gradviz.ones(2, dtype=gradviz.float64)).sum()
    assert grad_fn_chain(out) == [
        "SumBackward0", "  MulBackward0", "    torch::autograd::AccumulateGrad", "    None"]


# ---------------------------------------------------------------- errors
def _t(lib, *shape, dtype=None):
    dtype = dtype or lib.float32
    return lib.ones(*shape, dtype=dtype)


ERRORS = {
    "flip_repeated_dim": lambda T: _t(T, 2, 3).flip(0, 0),
    "flip_bad_dim": lambda T: _t(T, 2, 3).flip(2),
    "cumsum_bad_dim": lambda T: _t(T, 2, 3).cumsum(-3),
    "amax_bad_dim": lambda T: _t(T, 2, 3).amax(4),
    "narrow_too_long": lambda T: _t(T, 2, 3).narrow(1, 2, 5),
    "relu_bool": lambda T: T.relu(T.tensor([True])),
    "abs_bool": lambda T: T.tensor([True]).abs(),
    "floor_bool": lambda T: T.tensor([True]).floor(),
    "silu_int": lambda T: T.nn.functional.silu(T.tensor([1, 2])),
    "leaky_relu_int": lambda T: T.nn.functional.leaky_relu(T.tensor([1, 2])),
    "selu_int": lambda T: T.nn.functional.selu(T.tensor([1, 2])),
    "celu_int": lambda T: T.nn.functional.celu(T.tensor([1, 2]), inplace=True),
    "celu_zero_alpha": lambda T: T.nn.functional.celu(T.ones(2), 0.0),
    "mish_int": lambda T: T.nn.functional.mish(T.tensor([1, 2])),
    "logsigmoid_int": lambda T: T.nn.functional.logsigmoid(T.tensor([1, 2])),
    "hardswish_bool": lambda T: T.nn.functional.hardswish(T.tensor([True])),
    "hardsigmoid_int": lambda T: T.nn.functional.hardsigmoid(T.tensor([1, 2])),
    "index_add_out_of_bounds": lambda T: T.zeros(3, 2).index_add(0, T.tensor([0, 5]),
                                                                 T.ones(2, 2)),
    "index_add_dtypes": lambda T: T.zeros(3, 2).index_add(0, T.tensor([0]),
                                                          T.ones(1, 2, dtype=T.float64)),
    "index_add_float_index": lambda T: T.zeros(3, 2).index_add(0, T.tensor([0.0]),
                                                               T.ones(1, 2)),
    "index_add_matrix_index": lambda T: T.zeros(3, 2).index_add(0, T.tensor([[0, 1]]),
                                                                T.ones(2, 2)),
    "index_add_count": lambda T: T.zeros(3, 2).index_add_(0, T.tensor([0, 1]), T.ones(3, 2)),
    "aminmax_empty": lambda T: T.aminmax(T.zeros(0)),
    "aminmax_empty_dim": lambda T: T.zeros(2, 0).aminmax(dim=1),
    "var_mean_int": lambda T: T.var_mean(T.tensor([1, 2])),
    "cdist_vector": lambda T: T.cdist(T.ones(3), T.ones(2, 3)),
    "cdist_columns": lambda T: T.cdist(T.ones(2, 3), T.ones(2, 4)),
    "cdist_long": lambda T: T.cdist(T.ones(2, 3, dtype=T.long), T.ones(2, 3, dtype=T.long)),
    "cdist_negative_p": lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), p=-1),
    "interpolate_no_size": lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2)),
    "interpolate_both": lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2), 3, 2.0),
    "interpolate_size_dims": lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2), (3,)),
    "interpolate_scale_dims": lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2),
                                                                    scale_factor=[2.0]),
    "interpolate_nearest_corners": lambda T: T.nn.functional.interpolate(
        T.ones(1, 1, 2, 2), 3, align_corners=True),
    "interpolate_bilinear_3d": lambda T: T.nn.functional.interpolate(
        T.ones(1, 1, 2), 3, mode="bilinear"),
    "interpolate_bad_mode": lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2), 3,
                                                                  mode="cubic"),
    "interpolate_recompute_size": lambda T: T.nn.functional.interpolate(
        T.ones(1, 1, 2, 2), 3, recompute_scale_factor=True),
    "tensor_split_zero_sections": lambda T: T.tensor_split(T.zeros(3), 0),
    "tensor_split_scalar": lambda T: T.tensor_split(T.tensor(1.0), 1),
    "tensor_split_float_indices": lambda T: T.tensor_split(T.zeros(3), T.tensor([1.0])),
    "hardtanh_bounds": lambda T: T.nn.functional.hardtanh(_t(T, 2), 2.0, 1.0),
    "masked_fill_int_mask": lambda T: _t(T, 3).masked_fill(T.tensor([1, 0, 1]), 0.0),
    "masked_fill_shape": lambda T: _t(T, 3).masked_fill(T.tensor([True, False]), 0.0),
    "masked_fill_value_dims": lambda T: _t(T, 3).masked_fill(T.tensor([True] * 3), _t(T, 2)),
    "masked_fill_list_mask": lambda T: _t(T, 3).masked_fill([True, False, True], 0.0),
    "masked_fill_str_value": lambda T: _t(T, 3).masked_fill(T.tensor([True] * 3), "a"),
    "mm_shapes": lambda T: T.mm(_t(T, 2, 3), _t(T, 2, 3)),
    "mm_not_matrix": lambda T: T.mm(_t(T, 2, 3), _t(T, 3)),
    "matmul_2d": lambda T: _t(T, 2, 3) @ _t(T, 2, 3),
    "matmul_1d_2d": lambda T: _t(T, 2) @ _t(T, 3, 2),
    "matmul_2d_1d": lambda T: T.matmul(_t(T, 2, 3), _t(T, 2)),
    "matmul_1d_1d": lambda T: T.matmul(_t(T, 3), _t(T, 2)),
    "matmul_3d_2d": lambda T: _t(T, 2, 2, 3) @ _t(T, 2, 2),
    "matmul_2d_3d": lambda T: _t(T, 2, 3) @ _t(T, 2, 2, 2),
    "matmul_3d_3d": lambda T: _t(T, 2, 2, 3) @ _t(T, 2, 2, 2),
    "matmul_batch": lambda T: _t(T, 2, 2, 3) @ _t(T, 3, 3, 2),
    "matmul_batch_inner": lambda T: _t(T, 2, 2, 3) @ _t(T, 3, 2, 2),
    "matmul_3d_1d": lambda T: _t(T, 2, 2, 3) @ _t(T, 2),
    "matmul_1d_3d": lambda T: _t(T, 2) @ _t(T, 2, 3, 2),
    "matmul_1d_3d_grad": lambda T: _t(T, 2).requires_grad_() @ _t(T, 2, 3, 2),
    "matmul_2d_3d_grad": lambda T: _t(T, 2, 3).requires_grad_() @ _t(T, 2, 2, 2),
    "matmul_4d_3d": lambda T: _t(T, 2, 2, 2, 3) @ _t(T, 3, 2, 2),
    "matmul_scalar": lambda T: T.matmul(T.ones(()), _t(T, 2)),
    "matmul_list": lambda T: T.matmul([1, 2], _t(T, 2)),
    "matmul_dtypes": lambda T: T.matmul(_t(T, 2, 2), _t(T, 2, 2, dtype=T.float64)),
    "mv_shapes": lambda T: T.mv(_t(T, 2, 3), _t(T, 2)),
    "mv_not_vector": lambda T: T.mv(_t(T, 2, 3), _t(T, 3, 1)),
    "dot_sizes": lambda T: T.dot(_t(T, 3), _t(T, 2)),
    "dot_2d": lambda T: T.dot(_t(T, 3, 1), _t(T, 3)),
    "bmm_sizes": lambda T: T.bmm(_t(T, 2, 2, 3), _t(T, 2, 2, 2)),
    "broadcast_add": lambda T: _t(T, 2, 3) + _t(T, 4),
    "broadcast_mul": lambda T: T.mul(_t(T, 2, 3), _t(T, 3, 3)),
    "broadcast_where": lambda T: T.where(_t(T, 3) > 0, _t(T, 3), _t(T, 2)),
    "broadcast_maximum": lambda T: T.maximum(_t(T, 2, 3), _t(T, 2)),
    "add_list": lambda T: T.add(_t(T, 2), "a"),
    "view_size": lambda T: _t(T, 2, 3).view(4),
    "view_infer": lambda T: _t(T, 2, 3).view(-1, 4),
    "view_two_infer": lambda T: _t(T, 2, 3).view(-1, -1),
    "view_stride": lambda T: _t(T, 2, 3).t().view(6),
    "reshape_size": lambda T: _t(T, 2, 3).reshape(5),
    "expand_size": lambda T: _t(T, 2, 3).expand(4, 3),
    "expand_fewer": lambda T: _t(T, 2, 3).expand(3),
    "cat_sizes": lambda T: T.cat([_t(T, 2, 3), _t(T, 2, 2)]),
    "cat_dims": lambda T: T.cat([_t(T, 2, 3), _t(T, 3)]),
    "cat_empty": lambda T: T.cat([]),
    "cat_tensor": lambda T: T.cat(_t(T, 2)),
    "stack_sizes": lambda T: T.stack([_t(T, 2, 3), _t(T, 3, 2)]),
    "stack_dim": lambda T: T.stack([_t(T, 2), _t(T, 2)], dim=3),
    "permute_length": lambda T: _t(T, 2, 3).permute(0),
    "permute_repeat": lambda T: _t(T, 2, 3).permute(0, 0),
    "index_out_of_range": lambda T: _t(T, 2, 3)[2],
    "index_negative": lambda T: _t(T, 2, 3)[0, -4],
    "index_list_out_of_range": lambda T: _t(T, 2, 3)[[0, 5]],
    "index_too_many": lambda T: _t(T, 2)[0, 0],
    "index_after_none": lambda T: _t(T, 2, 3, 4)[None, 5],
    "index_after_ellipsis": lambda T: _t(T, 2, 3, 4)[..., 7],
    "index_array_second": lambda T: _t(T, 2, 3, 4)[:, [0, 5]],
    "index_arrays_after_select": lambda T: _t(T, 2, 3, 4)[[0, 1], 0, [9, 1]],
    "index_after_mask": lambda T: _t(T, 2, 3, 4)[T.ones(2, 3) > 0, [7]],
    "setitem_shape": lambda T: _t(T, 3, 2).__setitem__(slice(1, None), _t(T, 3)),
    "index_put_shape": lambda T: _t(T, 3, 2).__setitem__([0, 1], _t(T, 3)),
    "index_float": lambda T: _t(T, 3)[_t(T, 1)],
    "index_mask_shape": lambda T: _t(T, 2, 3)[T.tensor([True, False, True])],
    "dim_sum": lambda T: _t(T, 2, 3).sum(2),
    "dim_softmax": lambda T: T.softmax(_t(T, 2, 3), -3),
    "dim_transpose": lambda T: _t(T, 2, 3).transpose(0, 2),
    "dim_unsqueeze": lambda T: _t(T, 2, 3).unsqueeze(3),
    "dim_max": lambda T: _t(T, 2, 3).max(dim=5),
    "dim_cat": lambda T: T.cat([_t(T, 2), _t(T, 2)], 1),
    "mean_of_ints": lambda T: T.ones(3, dtype=T.int64).mean(),
    "backward_non_scalar": lambda T: (_t(T, 3).requires_grad_() * 2).backward(),
    "leaf_inplace": lambda T: _t(T, 3).requires_grad_().add_(1),
    "bce_weight_grad": lambda T: T.nn.functional.binary_cross_entropy(
        _t(T, 3) * 0.5, _t(T, 3), weight=_t(T, 3).requires_grad_()).backward(),
    "nll_target_dtype": lambda T: T.nn.functional.nll_loss(_t(T, 2, 3), _t(T, 2)),
    "nll_target_range": lambda T: T.nn.functional.nll_loss(_t(T, 2, 3),
                                                            T.tensor([0, 3])),
    "loss_reduction": lambda T: T.nn.functional.mse_loss(_t(T, 2), _t(T, 2), reduction="x"),
    "clamp_none": lambda T: T.clamp(_t(T, 2)),
    "add_list_first": lambda T: T.add([1.0], _t(T, 1)),
    "mul_str": lambda T: T.mul(_t(T, 2), "a"),
    "exp_list": lambda T: T.exp([1.0]),
    "mm_list": lambda T: T.mm([[1.0]], _t(T, 1, 1)),
    "dot_list": lambda T: T.dot(_t(T, 1), [1.0]),
    "cat_non_tensor": lambda T: T.cat([_t(T, 2), 1]),
    "stack_tensor": lambda T: T.stack(_t(T, 2)),
    "maximum_scalar": lambda T: T.maximum(_t(T, 2), 1.0),
    "where_float_condition": lambda T: T.where(_t(T, 2), _t(T, 2), _t(T, 2)),
    "mm_dtype": lambda T: T.mm(_t(T, 2, 2), _t(T, 2, 2, dtype=T.float64)),
    "mv_dtype": lambda T: T.mv(_t(T, 2, 2), _t(T, 2, dtype=T.float64)),
    "dot_dtype": lambda T: T.dot(_t(T, 2), _t(T, 2, dtype=T.float64)),
    "permute_range": lambda T: _t(T, 2, 3).permute(0, 5),
    "select_0d": lambda T: T.tensor(1.0)[0],
    "slice_0d": lambda T: T.tensor(1.0)[:1],
    "index_0d_tuple": lambda T: T.tensor(1.0)[0, 0],
    "cat_str": lambda T: T.cat((_t(T, 2), "a")),
    "stack_non_tensor": lambda T: T.stack([_t(T, 2), 1]),
    "where_long_condition": lambda T: T.where(T.ones(2, dtype=T.int64), _t(T, 2), _t(T, 2)),
    "reshape_minus_two": lambda T: _t(T, 2, 3).reshape(-2, -1),
    "mv_long": lambda T: T.mv(_t(T, 2, 2, dtype=T.int64), _t(T, 2)),
    "squeeze_range": lambda T: _t(T, 2, 3).squeeze(3),
    "view_minus_two": lambda T: _t(T, 2, 3).view(-2, 3),
    "expand_leading_minus": lambda T: _t(T, 2, 3).expand(-1, 2, 3),
    "cat_dim_range": lambda T: T.cat([_t(T, 2), _t(T, 2)], 5),
    "stack_dim_range": lambda T: T.stack([_t(T, 2), _t(T, 2)], -4),
    "bce_range": lambda T: T.nn.functional.binary_cross_entropy(_t(T, 2) * 2, _t(T, 2)),
    "bce_size": lambda T: T.nn.functional.binary_cross_entropy(_t(T, 2) / 2, _t(T, 3)),
    "bce_logits_size": lambda T: T.nn.functional.binary_cross_entropy_with_logits(_t(T, 2),
                                                                                  _t(T, 3)),
    "cross_entropy_target": lambda T: T.nn.functional.cross_entropy(_t(T, 2, 3),
                                                                    T.tensor([0, 7])),
    "nll_batch": lambda T: T.nn.functional.nll_loss(_t(T, 2, 3), T.tensor([0, 1, 2])),
    "backward_twice": lambda T: [y.backward() for y in [(_t(T, 2).requires_grad_().exp()).sum()]
                                 for _ in range(2)],
    "bmm_not_3d": lambda T: T.bmm(_t(T, 2, 2), _t(T, 2, 2, 2)),
    "floor_divide_str": lambda T: T.floor_divide(_t(T, 2), "a"),
    "floor_divide_str_first": lambda T: T.floor_divide("a", _t(T, 2)),
    "floor_divide_method_str": lambda T: _t(T, 2).floor_divide("a"),
    "floor_divide__method_str": lambda T: _t(T, 2).floor_divide_("a"),
    "floordiv_str": lambda T: _t(T, 2) // "a",
    "ifloordiv_str": lambda T: operator.ifloordiv(_t(T, 2), "a"),  # x //= "a"
    "imod_list": lambda T: operator.imod(_t(T, 2), [1]),
    "floordiv_int_by_zero": lambda T: T.tensor([1, -3]) // 0,
    "rfloordiv_int_by_zero": lambda T: 0 // T.tensor([3, 0]),
    "floordiv_bools": lambda T: T.tensor([True]) // T.tensor([True]),
    "floordiv_broadcast": lambda T: _t(T, 2, 3) // _t(T, 4),
    "floordiv_backward": lambda T: (_t(T, 2).requires_grad_() // 2).sum().backward(),
    "floordiv_grad": lambda T: (lambda x: T.autograd.grad(T.floor_divide(x, 3).sum(), x))(
        _t(T, 2).requires_grad_()),
    "floordiv_leaf_inplace": lambda T: _t(T, 2).requires_grad_().floor_divide_(2),
    "floordiv_int_inplace_float": lambda T: T.tensor([3, 4]).floor_divide_(2.5),
    "remainder_str": lambda T: T.remainder(_t(T, 2), "a"),
    "remainder_str_first": lambda T: T.remainder("a", _t(T, 2)),
    "remainder_none": lambda T: T.remainder(_t(T, 2), None),
    "remainder_method_str": lambda T: _t(T, 2).remainder("a"),
    "remainder__method_str": lambda T: _t(T, 2).remainder_("a"),
    "mod_str": lambda T: _t(T, 2) % "a",
    "mod_int_by_zero": lambda T: T.tensor([1, -3]) % 0,
    "mod_int_by_zero_tensor": lambda T: T.tensor([1, -3]) % T.tensor([2, 0]),
    "mod_bools": lambda T: T.tensor([True]) % True,
    "mod_broadcast": lambda T: T.remainder(_t(T, 2, 3), _t(T, 4)),
    "mod_inplace_broadcast": lambda T: (_t(T, 3).requires_grad_() * 1).remainder_(_t(T, 2, 3)),
    "rmod_backward": lambda T: (2 % _t(T, 2).requires_grad_()).sum().backward(),
    "mod_leaf_inplace": lambda T: _t(T, 2).requires_grad_().remainder_(2),
    "norm_int": lambda T: T.tensor([1, 2]).norm(),
    "norm_bool_inf": lambda T: T.tensor([True]).norm(float("inf")),
    "norm_empty_inf": lambda T: T.zeros(0).norm(float("inf")),
    "norm_empty_minus_inf": lambda T: T.zeros(0).norm(float("-inf")),
    "norm_empty_negative": lambda T: T.zeros(0).norm(-2.5),
    "norm_empty_dim": lambda T: T.zeros(0, 3).norm(-1, dim=0),
    "norm_ord_list": lambda T: T.norm(_t(T, 2), [1]),
    "norm_order_str": lambda T: _t(T, 2).norm("abc"),
    "norm_fro_three_dims": lambda T: _t(T, 2, 2, 2).norm("fro", dim=(0, 1, 2)),
    "norm_dim_range": lambda T: _t(T, 2, 3).norm(3, dim=2),
}


def _builtin(exc_type):
    return next(c for c in exc_type.__mro__ if c.__module__ == "builtins")


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_matches_torch(name, torch):
    program = ERRORS[name]
    with pytest.raises(Exception) as want:
        program(torch)
    with pytest.raises(Exception) as got:
        program(gradviz)
    assert _builtin(type(got.value)) is _builtin(type(want.value))
    expected = re.sub(r"\btorch\.(\w*Tensor|dtype)\b", r"gradviz.\1", str(want.value))
    assert str(got.value) == expected


# ---------------------------------------------------------------- dtype promotion
def _ints(T, dtype=None):
    return T.tensor([3, -1, 2], dtype=dtype or T.int64)


def _floats(T, dtype=None):
    return T.tensor([0.5, -1.25, 2.0], dtype=dtype or T.float32)


PROMOTION = {
    "f32_f64": lambda T: _floats(T) + _floats(T, T.float64),
    "f32_0d_f64": lambda T: _floats(T) * T.tensor(2.0, dtype=T.float64),
    "0d_f64_f32": lambda T: T.tensor(2.0, dtype=T.float64) - _floats(T),
    "f16_f32": lambda T: _floats(T, T.float16) + _floats(T),
    "int_plus_float": lambda T: _ints(T) + 2.5,
    "int_times_int": lambda T: _ints(T) * 2,
    "int_div_int": lambda T: _ints(T) / _ints(T),
    "int_div_scalar": lambda T: _ints(T) / 2,
    "scalar_div_int": lambda T: 2 / _ints(T),
    "reciprocal_int": lambda T: T.reciprocal(_ints(T)),
    "rsub_int": lambda T: 1 - _ints(T),
    "rsub_float_int": lambda T: 1.5 - _ints(T),
    "bool_plus_int": lambda T: T.tensor([True, False]) + 1,
    "int32_int64": lambda T: _ints(T, T.int32) + _ints(T),
    "int32_scalar": lambda T: _ints(T, T.int32) * 3,
    "int8_int16": lambda T: _ints(T, T.int8) * _ints(T, T.int16),
    "uint8_minus": lambda T: T.tensor([1, 2], dtype=T.uint8) - 1,
    "f32_pow": lambda T: _floats(T) ** 2,
    "int_pow": lambda T: _ints(T) ** 2,
    "int_pow_float": lambda T: _ints(T).abs() ** 0.5,
    "two_pow_int": lambda T: 2 ** _ints(T).abs(),
    "float_pow_int": lambda T: 2.0 ** _ints(T),
    "f32_pow_f64": lambda T: _floats(T).abs() ** _floats(T, T.float64),
    "where_mixed": lambda T: T.where(_ints(T) > 0, _floats(T), _floats(T, T.float64)),
    "where_scalar": lambda T: T.where(_ints(T) > 0, _floats(T), 0.0),
    "where_int_float": lambda T: T.where(_ints(T) > 0, _ints(T), 0.5),
    "maximum_mixed": lambda T: T.maximum(_floats(T), _floats(T, T.float64)),
    "minimum_int_float": lambda T: T.minimum(_ints(T), _floats(T)),
    "sum_f32": lambda T: _floats(T).sum(),
    "sum_int32": lambda T: _ints(T, T.int32).sum(),
    "sum_bool": lambda T: (_ints(T) > 0).sum(),
    "sum_dim_int": lambda T: _ints(T).view(3, 1).sum(1),
    "mean_dtype": lambda T: _floats(T).mean(dtype=T.float64),
    "clamp_int_float": lambda T: T.clamp(_ints(T), min=0.5),
    "clamp_int_int": lambda T: _ints(T).clamp(0, 2),
    "abs_int": lambda T: _ints(T).abs(),
    "exp_bool": lambda T: (_ints(T) > 0).exp(),
    "cumsum_int": lambda T: _ints(T).cumsum(0),
    "cumsum_bool": lambda T: (_ints(T) > 0).cumsum(0),
    "logsumexp_int": lambda T: _ints(T).logsumexp(0),
    "amax_int": lambda T: _ints(T).amax(),
    "log1p_bool": lambda T: T.log1p(_ints(T) > 0),
    "tanh_bool": lambda T: (_ints(T) > 0).tanh(),
    "sign_bool": lambda T: (_ints(T) > 0).sign(),
    "floor_int": lambda T: _ints(T).floor(),
    "round_int": lambda T: T.round(_ints(T)),
    "hardtanh_int": lambda T: T.nn.functional.hardtanh(_ints(T)),
    "atan_int": lambda T: _ints(T).atan(),
    "exp_int": lambda T: _ints(T).exp(),
    "sqrt_int": lambda T: _ints(T).abs().sqrt(),
    "sigmoid_int": lambda T: T.sigmoid(_ints(T)),
    "relu_int": lambda T: T.relu(_ints(T)),
    "neg_int": lambda T: -_ints(T),
    "cat_mixed": lambda T: T.cat([_floats(T), _floats(T, T.float64)]),
    "cat_int_float": lambda T: T.cat([_ints(T), _floats(T)]),
    "stack_mixed": lambda T: T.stack([_ints(T), _floats(T)]),
    "int_to_float": lambda T: _ints(T).float(),
    "float_to_int": lambda T: _floats(T).long(),
    "float_to_double_grad": lambda T: _floats(T).requires_grad_().double(),
    "double_to_float_grad": lambda T: _floats(T, T.float64).requires_grad_().to(T.float32),
    "mm_f32": lambda T: _floats(T).view(3, 1) @ _floats(T).view(1, 3),
    "add_grad_f32_f64": lambda T: _floats(T).requires_grad_() + _floats(T, T.float64),
    "mul_grad_int": lambda T: _floats(T).requires_grad_() * _ints(T),
    "int_floordiv_int": lambda T: T.tensor([7, -7, 7, -7]) // T.tensor([2, 2, -2, -2]),
    "int_floordiv_float": lambda T: _ints(T) // 2.5,
    "float_floordiv_int": lambda T: 2.5 // _ints(T),
    "int_floordiv_scalar": lambda T: 7 // _ints(T),
    "floordiv_zero_float": lambda T: _floats(T) // 0,
    "uint8_floordiv_int8": lambda T: T.tensor([3, 4], dtype=T.uint8) // T.tensor([2, 3],
                                                                                 dtype=T.int8),
    "int_floordiv_bool": lambda T: _ints(T) // True,
    "bool_floordiv_int": lambda T: T.tensor([True, False]) // 2,
    "f32_floordiv_0d_f64": lambda T: _floats(T) // T.tensor(0.3, dtype=T.float64),
    "int_mod_int": lambda T: T.tensor([7, -7, 7, -7]) % T.tensor([2, 2, -2, -2]),
    "int_mod_float": lambda T: _ints(T) % 2.5,
    "float_mod_int": lambda T: 2.5 % _ints(T),
    "int32_mod_scalar": lambda T: _ints(T, T.int32) % 3,
    "f16_mod": lambda T: _floats(T, T.float16) % 0.75,
    "f32_mod_f64": lambda T: _floats(T) % _floats(T, T.float64),
    "f32_mod_0d_f64": lambda T: _floats(T) % T.tensor(0.3, dtype=T.float64),
    "mod_signs": lambda T: T.tensor([-7.5, 7.5, 5.0, -5.0, 0.0]) % T.tensor([2.0, -2.0, 2.5,
                                                                            2.5, -1.0]),
    "mod_zero_float": lambda T: _floats(T) % 0,
    "mod_inf": lambda T: T.tensor([1.0, -1.0, float("inf")]) % T.tensor([float("inf")] * 3),
    "remainder_grad_f32_f64": lambda T: T.remainder(_floats(T).requires_grad_(),
                                                    _floats(T, T.float64) + 3),
    "norm_f32_inf": lambda T: _floats(T).norm(float("inf")),
    "norm_f32_p3": lambda T: _floats(T).norm(3),
    "norm_f32_negative": lambda T: _floats(T).norm(-0.5),
    "norm_f32_p0": lambda T: _floats(T).norm(0),
    "norm_f16_p3": lambda T: _floats(T, T.float16).norm(3),
    "norm_grad_f32": lambda T: _floats(T).requires_grad_().norm(1.5, dim=0),
}


@pytest.mark.parametrize("name", list(PROMOTION))
def test_dtype_promotion_matches_torch(name, torch):
    got, want = PROMOTION[name](gradviz), PROMOTION[name](torch)
    assert str(got.dtype) == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy().astype(np.float64),
                               want.detach().numpy().astype(np.float64), rtol=1e-6)
    assert str(got) == str(want)
    if want.requires_grad:
        want.sum().backward()
        got.sum().backward()
        assert got.grad_fn.name() == want.grad_fn.name()


# ---------------------------------------------------------------- where derivatives are kinks
TIES = np.array([[1.0, 3.0, 3.0], [0.0, -2.0, 0.0]])

KINKS = {
    "max_ties": lambda T, a: a.max(),
    "min_ties": lambda T, a: (a * -1).min(),
    "max_dim_ties": lambda T, a: a.max(1).values,
    "min_dim_ties": lambda T, a: a.min(dim=0, keepdim=True)[0],
    "maximum_equal": lambda T, a: T.maximum(a, a[:, [2, 1, 0]]),
    "maximum_with_self": lambda T, a: T.maximum(a, a * 1),
    "minimum_with_constant": lambda T, a: T.minimum(a, T.zeros(3, dtype=T.float64)),
    "relu_at_zero": lambda T, a: a.relu(),
    "abs_at_zero": lambda T, a: a.abs(),
    "clamp_at_bounds": lambda T, a: a.clamp(0.0, 3.0),
    "clamp_tensor_at_bounds": lambda T, a: T.clamp(a, a * 0, a * 0 + 1),
    "norm_of_zeros": lambda T, a: (a * 0).norm(),
    "norm_dim_with_zero_row": lambda T, a: (a * T.tensor([[1.0], [0.0]], dtype=T.float64))
    .norm(dim=1),
    "norm_p1_at_zero": lambda T, a: a.norm(p=1),
    "sqrt_at_zero": lambda T, a: (a * a).sqrt(),
    "where_both_sides": lambda T, a: T.where(a > 0, a, a * 2),
    "pow_zero_base": lambda T, a: (a * 0) ** a.abs(),
    "var_single_element": lambda T, a: a[:, :1].var(1),
    "std_of_constant": lambda T, a: (a * 0).std(),
    "norm_inf_ties": lambda T, a: a.norm(float("inf")),
    "norm_inf_dim_ties": lambda T, a: a.norm(float("inf"), dim=1),
    "norm_minus_inf_zeros": lambda T, a: a.norm(float("-inf"), dim=1, keepdim=True),
    "norm_half_at_zero": lambda T, a: a.norm(0.5, dim=1),
    "norm_p1_5_zero_row": lambda T, a: (a * T.tensor([[1.0], [0.0]], dtype=T.float64))
    .norm(1.5, dim=1),
    "norm_p3_of_zeros": lambda T, a: (a * 0).norm(3),
    "norm_negative_with_zero": lambda T, a: a.norm(-1, dim=1),
    "remainder_exact_multiples": lambda T, a: T.remainder(a, a * 0 + 1.5),
    "remainder_divisor_at_multiples": lambda T, a: T.remainder(a * 0 + 3.0, a + 4),
}


DOF_WARNING = {"var_single_element"}  # torch warns, and so must gradviz


@pytest.mark.parametrize("name", list(KINKS))
def test_gradient_at_kinks_matches_torch(name, torch):
    """Ties, zeros and bounds: no finite difference to compare with, torch's choice is the spec."""
    results = []
    for lib in (gradviz, torch):
        a = lib.from_numpy(TIES.copy()).requires_grad_()
        if name in DOF_WARNING:
            with pytest.warns(UserWarning, match=r"^var\(\): degrees of freedom is <= 0"):
                out = KINKS[name](lib, a)
        else:
            out = KINKS[name](lib, a)
        out.backward(lib.ones_like(out))
        results.append((out.detach().numpy(), a.grad.numpy(), grad_fn_chain(out)))
    (got_out, got_grad, got_chain), (want_out, want_grad, want_chain) = results
    np.testing.assert_allclose(got_out, want_out, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-12, equal_nan=True)
    assert got_chain == want_chain


@pytest.mark.parametrize("fn", ["add", "sub", "mul", "div", "maximum", "minimum"])
def test_function_forms_promote_like_the_operators(fn, torch):
    """gradviz.mul(float32[3], float64[]) is float32 as in torch (a 0-d tensor of the same
    kind does not raise precision), through the function as through the operator."""
    def run(lib):
        return getattr(lib, fn)(lib.tensor([1.0, 2.0, 3.0]), lib.tensor(2.0, dtype=lib.float64))
    assert str(run(gradviz).dtype) == str(run(torch).dtype) == "torch.float32"
