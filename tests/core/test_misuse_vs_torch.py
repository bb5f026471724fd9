"""Misuse a learner meets, run on gradviz and on torch: the same exception type and
message (and the same warnings), or the same result where torch gives one
(``torch_compare.assert_same``)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
from torch_compare import assert_same

import gradviz


def _run(code):
    def program(T):
        scope = {"T": T, "F": T.nn.functional}
        exec(code, scope)  # noqa: S102 - the test's own programs
        return scope.get("out")

    return program


# ---------------------------------------------------------------- cross_entropy and nll_loss
CROSS_ENTROPY = {
    "ce_same_shape_long_target": "F.cross_entropy(T.ones(3), T.tensor([0, 1, 2]))",
    "ce_same_shape_long_target_2d": "F.cross_entropy(T.ones(2, 3), T.ones(2, 3, dtype=T.long))",
    "ce_probabilities_ignore_index": "F.cross_entropy(T.ones(2, 3), T.ones(2, 3), ignore_index=1)",
    "ce_float_indices": "F.cross_entropy(T.ones(2, 3), T.tensor([0.0, 1.0]))",
    "ce_module_float_indices": "T.nn.CrossEntropyLoss()(T.ones(2, 3), T.tensor([0.0, 1.0]))",
    "ce_float_indices_smoothed": ("F.cross_entropy(T.ones(2, 3), T.tensor([0.0, 1.0]), "
                                  "label_smoothing=0.1)"),
    "ce_column_target": "F.cross_entropy(T.ones(2, 3), T.tensor([[0], [1]]))",
    "ce_column_float_target": "F.cross_entropy(T.ones(2, 3), T.tensor([[0.0], [1.0]]))",
    "ce_column_target_smoothed": ("F.cross_entropy(T.ones(2, 3), T.tensor([[0], [1]]), "
                                  "label_smoothing=0.1)"),
    "ce_batch_mismatch": "F.cross_entropy(T.ones(2, 3), T.tensor([0.0, 1.0, 1.0]))",
    "ce_0d_target_for_batch": "F.cross_entropy(T.ones(2, 3), T.tensor(1))",
    "ce_1d_input_0d_float": "F.cross_entropy(T.ones(3), T.tensor(1.0))",
    "ce_0d_input": "F.cross_entropy(T.tensor(1.0), T.tensor(1))",
    "ce_negative_smoothing_ignored": ("out = F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), "
                                      "label_smoothing=-0.1)"),
    "ce_smoothing_too_big_with_weight": ("F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), "
                                         "label_smoothing=1.1, weight=T.ones(3))"),
    "ce_1d_input_one_target": "out = F.cross_entropy(T.ones(3), T.tensor([1]))",
    "ce_byte_target": "out = F.cross_entropy(T.ones(2, 3), T.tensor([0, 1], dtype=T.uint8))",
    "nll_column_target": "F.nll_loss(T.ones(2, 3), T.tensor([[0], [1]]))",
    "nll_1d_input_column_target": "F.nll_loss(T.ones(3), T.tensor([[0]]))",
    "nll_1d_input_two_targets": "F.nll_loss(T.ones(3), T.tensor([0, 1]))",
    "nll_1d_input_two_float_targets": "F.nll_loss(T.ones(3), T.tensor([0.0, 1.0]))",
    "nll_0d_input": "F.nll_loss(T.tensor(1.0), T.tensor([0.0, 1.0]))",
    "nll_int_target": "F.nll_loss(T.ones(2, 3), T.tensor([0, 1], dtype=T.int32))",
    "nll_byte_target_out_of_range": "F.nll_loss(T.ones(2, 3), T.tensor([0, 5], dtype=T.uint8))",
}


@pytest.mark.parametrize("code", CROSS_ENTROPY.values(), ids=CROSS_ENTROPY.keys())
def test_cross_entropy_and_nll_targets_checked_as_torch(oracle, code):
    assert_same(oracle, _run(code))


# ---------------------------------------------------------------- gather, scatter, index_select
SELECTION = {
    "gather_past_the_end": "T.ones(2, 3).gather(1, T.tensor([[3]]))",
    "gather_negative": "T.ones(2, 3).gather(1, T.tensor([[-1]]))",
    "gather_index_too_big": "T.ones(2, 3).gather(1, T.zeros(3, 1, dtype=T.long))",
    "gather_float_index": "T.ones(2, 3).gather(1, T.tensor([[0.0]]))",
    "gather_int32_index": "out = T.ones(2, 3).gather(1, T.tensor([[2]], dtype=T.int32))",
    "scatter_past_the_end": "T.zeros(3).scatter(0, T.tensor([3]), T.ones(1))",
    "scatter_negative": "T.zeros(3).scatter(0, T.tensor([-1]), T.ones(1))",
    "scatter_value_past_the_end": "T.zeros(3).scatter(0, T.tensor([3]), 1.0)",
    "scatter_int32_index": "out = T.zeros(3).scatter(0, T.tensor([1], dtype=T.int32), 1.0)",
    "scatter_float_index": "T.zeros(3).scatter(0, T.tensor([1.0]), 1.0)",
    "scatter_index_bigger_than_src": "T.zeros(3).scatter(0, T.tensor([0, 1]), T.ones(1))",
    "scatter_index_bigger_than_self": "T.zeros(3, 2).scatter(0, T.tensor([[0, 0, 0]]), 1.0)",
    "scatter_src_dtype": ("T.zeros(3, 2).scatter(0, T.tensor([[0, 0]]), "
                          "T.ones(3, 3, dtype=T.float64))"),
    "scatter_add_past_the_end": "T.zeros(3).scatter_add(0, T.tensor([3]), T.ones(1))",
    "scatter_add_float_index": "T.zeros(3).scatter_add(0, T.tensor([1.0]), T.ones(1))",
    "scatter_add_int32_index": ("out = T.zeros(3).scatter_add(0, T.tensor([1], dtype=T.int32), "
                                "T.ones(1))"),
    "index_select_past_the_end": "T.ones(3).index_select(0, T.tensor([3]))",
    "index_select_negative": "T.ones(3).index_select(0, T.tensor([-1]))",
    "index_select_float_index": "T.ones(3).index_select(0, T.tensor([1.0]))",
    "index_select_matrix_rows": "T.ones(3, 2).index_select(0, T.tensor([3]))",
    "index_select_matrix_columns": "T.ones(3, 2).index_select(1, T.tensor([2]))",
    "index_select_transposed_rows": "T.ones(3, 2).t().index_select(0, T.tensor([2]))",
    "index_select_3d": "T.ones(3, 2, 2).index_select(2, T.tensor([2]))",
}


@pytest.mark.parametrize("code", SELECTION.values(), ids=SELECTION.keys())
def test_gather_scatter_index_select_check_indices_as_torch(oracle, code):
    assert_same(oracle, _run(code))


def test_gather_with_an_int32_index_has_torchs_gradient(oracle):
    def program(T):
        x = T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = x.gather(1, T.tensor([[2, 2, 0]], dtype=T.int32))
        y.sum().backward()
        return y, x.grad

    assert_same(oracle, program)


# ---------------------------------------------------------------- t[key] = value with a bad key
SETITEM_KEYS = {
    "int_past_the_end": "5",
    "negative_past_the_start": "-4",
    "second_int_past_the_end": "0, 2",
    "after_a_slice": ":, 3",
    "long_tensor": "T.tensor([4])",
    "list": "[0, 5]",
    "too_many": "0, 1, 1",
    "float": "1.5",
    "mask_shape": "T.tensor([True])",
    "second_of_two_tensors": "T.tensor([0]), T.tensor([3])",
}


@pytest.mark.parametrize("key", SETITEM_KEYS.values(), ids=SETITEM_KEYS.keys())
def test_assigning_at_a_bad_key_raises_torchs_index_error(oracle, key):
    assert_same(oracle, _run(f"x = T.zeros(3, 2)\nx[{key}] = 1.0"))


# ---------------------------------------------------------------- leaving autograd for NumPy/Python
@pytest.mark.parametrize("code", [
    "np.asarray(T.ones(2, requires_grad=True))",
    "np.asarray(T.ones(2, requires_grad=True) * 2)",
    "np.array([T.ones(2, requires_grad=True)])",
    "out = np.asarray(T.ones(2, requires_grad=True).detach(), dtype=np.float64).dtype.name",
    "out = np.asarray(T.ones(2) * 2).tolist()",
], ids=["leaf", "non_leaf", "list_of_tensors", "detached_with_dtype", "no_grad"])
def test_numpy_arrays_of_tensors_that_require_grad_refused_as_torch(oracle, code):
    def program(T):
        import numpy as np

        scope = {"T": T, "np": np}
        exec(code, scope)  # noqa: S102 - the test's own programs
        return scope.get("out")

    assert_same(oracle, program)


def test_float_of_a_tensor_that_requires_grad_warns_as_torch(oracle):
    # torch warns once per process: ask a fresh one for its words
    code = "import torch; float(torch.ones(1, requires_grad=True) * 2)"
    done = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    x = gradviz.ones(1, requires_grad=True)
    for value in (x, x * 2):  # gradviz warns every time; Python's filters decide what is shown
        with pytest.warns(UserWarning) as caught:
            assert float(value) == float(value.detach())
        assert f"UserWarning: {caught[0].message} (Triggered internally" in done.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        float(x.detach()), int(x), x.item(), bool(x)  # (torch warns for float() only)


# ------------------------------------------------------------ backward and grad: which check first
ENGINE_ORDER = {
    "grad_of_an_output_that_does_not_require_grad":
        "a = T.ones(2)\nT.autograd.grad(a.sum(), [a])",
    "grad_of_a_non_scalar_output_that_does_not_require_grad":
        "a = T.ones(2)\nT.autograd.grad(a * 2, [a])",
    "grad_wrt_a_number_of_an_output_that_does_not_require_grad":
        "a = T.ones(2)\nT.autograd.grad(a.sum(), [1.0])",
    "grad_wrt_a_number_of_a_non_scalar_output":
        "a = T.ones(2, requires_grad=True)\nT.autograd.grad(a * 2, [1.0])",
    "grad_wrt_a_tensor_that_does_not_require_grad":
        "a = T.ones(2, requires_grad=True)\nb = T.ones(2)\nT.autograd.grad((a * b).sum(), [b])",
    "grad_outputs_of_the_wrong_size_before_requires_grad":
        "a = T.ones(2)\nT.autograd.grad(a.sum(), [a], grad_outputs=T.ones(3))",
    "backward_gradient_of_the_wrong_size_before_requires_grad":
        "T.ones(2).backward(T.ones(3))",
    "second_output_non_scalar_before_first_requires_grad":
        "a = T.ones(2, requires_grad=True)\nT.autograd.backward([T.ones(()), a * 2])",
    "second_output_does_not_require_grad":
        "a = T.ones(2, requires_grad=True)\nT.autograd.backward([a.sum(), T.ones(())])",
}


@pytest.mark.parametrize("code", ENGINE_ORDER.values(), ids=ENGINE_ORDER.keys())
def test_backward_and_grad_check_outputs_before_inputs_as_torch(oracle, code):
    assert_same(oracle, _run(code))


# ---------------------------------------------------------------- linear, addmm and argument types
LINEAR = {
    "linear_0d_input": "F.linear(T.tensor(1.0), T.ones(2, 3))",
    "linear_0d_weight": "F.linear(T.ones(3), T.tensor(1.0))",
    "linear_module_0d_input": "T.nn.Linear(3, 2)(T.tensor(1.0))",
    "linear_bias_of_the_wrong_size": "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(5))",
    "linear_bias_of_the_wrong_size_vector": "F.linear(T.ones(3), T.ones(4, 3), T.ones(5))",
    "linear_bias_of_the_wrong_size_batched": "F.linear(T.ones(2, 2, 3), T.ones(4, 3), T.ones(5))",
    "linear_3d_weight": "F.linear(T.ones(2, 3), T.ones(2, 4, 3))",
    "linear_vector_weight_with_bias": "F.linear(T.ones(2, 3), T.ones(3), T.ones(1))",
    "linear_vector_weight_with_bias_batched": "F.linear(T.ones(2, 2, 3), T.ones(3), T.ones(1))",
    "linear_bias_broadcast": "out = F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(2, 4))",
    "linear_bias_of_one": "out = F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(1))",
    "linear_module_numpy_input": "T.nn.Linear(3, 2)(np.ones((1, 3), dtype=np.float32))",
    "addmm_input_of_the_wrong_size": "T.addmm(T.ones(5), T.ones(2, 3), T.ones(3, 4))",
    "addmm_input_rows": "T.addmm(T.ones(3, 4), T.ones(2, 3), T.ones(3, 4))",
    "exp_of_a_numpy_number": "T.exp(np.int64(1))",
    "relu_of_an_array": "F.relu(np.ones(2))",
    "cat_of_arrays": "T.cat([np.ones(2)])",
}


@pytest.mark.parametrize("code", LINEAR.values(), ids=LINEAR.keys())
def test_linear_and_argument_errors_as_torch(oracle, code):
    def program(T):
        import numpy as np

        scope = {"T": T, "F": T.nn.functional, "np": np}
        exec(code, scope)  # noqa: S102 - the test's own programs
        return scope.get("out")

    assert_same(oracle, program)


# ---------------------------------------------------------------- reducing nothing
EMPTY_REDUCTIONS = [
    "T.ones(0).max(0)", "T.ones(0, 3).max(0)", "T.ones(0, 3).min(0)", "T.ones(2, 0).max(-1)",
    "T.ones(0, 3).max(1, keepdim=True)", "T.ones(0).amax()", "T.ones(0).amin()",
    "T.ones(0, 3).amax(0)", "T.ones(2, 0).amin(-1)", "T.ones(2, 0).amax((-1, 0))",
    "T.ones(0, 3).amax((1, 0))", "T.ones(2, 0).amax(dim=[])", "T.ones(0, 3).amax(1)",
    "T.ones(0).median()", "T.ones(0, 2).median(0)", "T.ones(2, 0).median(-1)",
    "T.ones(2, 0).nanmedian(-1)", "T.ones(0).kthvalue(1)", "T.ones(0).kthvalue(2)",
    "T.ones(2, 0).kthvalue(1)", "T.tensor(1.0).max(0)", "T.tensor(1.0).amax(0)",
]


@pytest.mark.parametrize("code", EMPTY_REDUCTIONS)
def test_reducing_an_empty_dim_as_torch(oracle, code):
    assert_same(oracle, _run(f"out = {code}"))


def test_median_of_nothing_is_nan_with_a_gradient_of_nothing(oracle):
    def program(T):
        x = T.ones(0, requires_grad=True)
        m = x.median()
        m.backward()
        return m, x.grad

    assert_same(oracle, program)


# ---------------------------------------------------------------- attributes set, membership
ATTRIBUTES = {
    "requires_grad_on_a_non_leaf":
        "b = T.ones(2, requires_grad=True) * 2\nb.requires_grad = True",
    "requires_grad_off_a_non_leaf":
        "b = T.ones(2, requires_grad=True) * 2\nb.requires_grad = False",
    "requires_grad_not_a_bool": "b = T.ones(2, requires_grad=True) * 2\nb.requires_grad = 1",
    "requires_grad_not_a_bool_on_longs": "T.ones(2, dtype=T.long).requires_grad = 'yes'",
    "requires_grad_on_longs": "T.ones(2, dtype=T.long).requires_grad = True",
    "requires_grad_off_longs": "x = T.ones(2, dtype=T.long)\nx.requires_grad = False\nout = x",
    "requires_grad_method_on_a_non_leaf":
        "out = (T.ones(2, requires_grad=True) * 2).requires_grad_()",
    "data_of_longs_under_grad":
        "a = T.ones(2, requires_grad=True)\na.data = T.ones(2, dtype=T.long)",
    "data_of_longs_without_grad": "a = T.ones(2)\na.data = T.ones(2, dtype=T.long)\nout = a",
    "data_of_none": "a = T.ones(2, requires_grad=True)\na.data = None",
    "data_of_a_list": "a = T.ones(2, requires_grad=True)\na.data = [1.0, 2.0]",
    "data_of_another_shape": "a = T.ones(2, requires_grad=True)\na.data = T.zeros(3)\nout = a",
    "contains_a_string": "'a' in T.ones(2)",
    "contains_none": "None in T.ones(2)",
    "contains_a_list": "[1] in T.ones(2)",
    "contains_a_number": "out = (1.0 in T.ones(2), 2 in T.ones(2), True in T.ones(2))",
    "contains_a_tensor": "out = (T.ones(1) in T.ones(2), T.zeros(2) in T.ones(2))",
    "contains_a_tensor_of_another_size": "T.ones(3) in T.ones(2)",
}


@pytest.mark.parametrize("code", ATTRIBUTES.values(), ids=ATTRIBUTES.keys())
def test_setting_requires_grad_and_data_and_membership_as_torch(oracle, code):
    assert_same(oracle, _run(code))


# ---------------------------------------------------------------- torch.tensor of NumPy values
NUMPY_DATA = [
    "[np.float64(1.0)]", "[1.0, np.float64(2)]", "[np.float32(1.0), 2.0]", "[np.int32(1)]",
    "[[np.float32(1)], [2.0]]", "[np.int32(1), 2]", "[np.uint8(1), np.int8(2)]",
    "[True, np.float16(1)]", "[T.tensor(1, dtype=T.int32)]", "[T.tensor(1), 2.5]",
    "[T.tensor(1.0, dtype=T.float64), 2]", "[T.ones(1, dtype=T.float64)]", "[]",
    "[1, 2.5, True]", "np.float32(2)", "np.int16(2)", "[np.ones(2, dtype=np.int32)]",
    "(np.ones(2), np.ones(2))", "[np.ones(2, dtype=np.float32), np.ones(2)]",
    "[[1.0], np.ones(1)]",
]


@pytest.mark.parametrize("data", NUMPY_DATA)
def test_tensor_of_numpy_scalars_and_arrays_keeps_their_dtypes_as_torch(oracle, data):
    def program(T):
        import numpy as np

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (torch warns once per process: checked below)
            scope = {"T": T, "np": np}
            return (eval(f"T.tensor({data})", scope),  # noqa: S307 - the test's own code
                    eval(f"T.tensor({data}, dtype=T.float32)", scope),  # noqa: S307
                    eval(f"T.as_tensor({data})", scope))  # noqa: S307

    assert_same(oracle, program)


def test_tensor_of_a_list_of_arrays_warns_as_torch(oracle):
    # torch warns once per process: ask a fresh one for its words
    code = "import numpy as np, torch; torch.tensor([np.ones(2), np.ones(2)])"
    done = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    import numpy as np

    for data in ([np.ones(2), np.ones(2)], (np.ones(2),)):
        with pytest.warns(UserWarning) as caught:
            gradviz.tensor(data)
        assert f"UserWarning: {caught[0].message} (Triggered internally" in done.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradviz.tensor([[1.0], np.ones(1)])  # (only a first element that is an array)
        gradviz.tensor(np.ones((2, 2)))


# ---------------------------------------------------------------- tensors made in inference_mode
INFERENCE = {
    "requires_grad_outside":
        "with T.inference_mode():\n    a = T.ones(2)\nout = a.requires_grad_()",
    "saved_for_backward": ("with T.inference_mode():\n    a = T.ones(2)\n"
                           "b = T.ones(2, requires_grad=True)\n(a * b).sum().backward()"),
    "added_outside": ("with T.inference_mode():\n    a = T.ones(2)\n"
                      "b = T.ones(2, requires_grad=True)\n(a + b).sum().backward()\nout = b.grad"),
    "changed_in_place_outside": "with T.inference_mode():\n    a = T.ones(2)\na.add_(1)",
    "fed_to_a_layer": ("layer = T.nn.Linear(2, 2)\nwith T.inference_mode():\n"
                       "    x = T.ones(1, 2)\nlayer(x).sum().backward()"),
    "from_data": "with T.inference_mode():\n    a = T.tensor([1.0])\nout = a.is_inference()",
    "random": "with T.inference_mode():\n    a = T.randn(2)\nout = a.is_inference()",
    "cloned_outside": ("with T.inference_mode():\n    a = T.ones(2)\nb = a.clone()\n"
                       "out = (b.is_inference(), b.requires_grad_())"),
    "requiring_grad_inside": ("with T.inference_mode():\n    a = T.zeros(2, requires_grad=True)\n"
                              "out = (a.is_inference(), a)"),
    "mode_off": "with T.inference_mode(False):\n    a = T.ones(2)\nout = a.is_inference()",
    "mode_off_inside_on": ("with T.inference_mode():\n    with T.inference_mode(False):\n"
                           "        a = T.ones(2)\n        b = a * 2\n    c = T.ones(2)\n"
                           "out = (a.is_inference(), b.is_inference(), c.is_inference())"),
    "decorator": ("@T.inference_mode()\ndef f():\n    return T.ones(2)\n"
                  "out = f().is_inference()"),
    "no_grad_is_not_inference": ("with T.no_grad():\n    a = T.ones(2)\n"
                                 "b = T.ones(2, requires_grad=True)\n(a * b).sum().backward()\n"
                                 "out = (a.is_inference(), b.grad)"),
}


@pytest.mark.parametrize("code", INFERENCE.values(), ids=INFERENCE.keys())
def test_factory_tensors_made_in_inference_mode_are_inference_tensors(oracle, code):
    assert_same(oracle, _run(code))


@pytest.mark.parametrize("name", ["DoubleTensor", "LongTensor", "BoolTensor", "HalfTensor",
                                  "FloatTensor", "IntTensor"])
def test_type_with_a_legacy_type_name_converts_as_torch(oracle, name):
    def program(T):
        x = T.tensor([1.5, -2.0])
        return x.type(f"torch.{name}"), x.type(f"torch.{name}").type()

    assert_same(oracle, program)


MISC = [
    "T.where(T.tensor([True, False]))", "T.where(T.tensor([[True, False], [False, True]]))",
    "T.where(T.tensor([1, 0]))", "T.ones(2).where(T.tensor([True, False]), 0.0)",
    "T.ones(2).masked_select(T.tensor([True, False, True]))",
    "T.ones(2, 2).masked_select(T.tensor([True, False]))",
    "T.ones(2).masked_select(T.tensor([[True], [False]]))",
    "T.ones(2).repeat(-1)", "T.ones(2, 3).repeat(1, -1)", "T.ones(2).repeat(2, -1)",
    "T.ones(2).repeat(0)",
]


@pytest.mark.parametrize("code", MISC)
def test_where_masked_select_and_repeat_as_torch(oracle, code):
    assert_same(oracle, _run(f"out = {code}"))


SELECT = ["x.select(-1, 2)", "x.select(1, -3)", "T.tensor(1.0).select(0, 0)", "x.select(2, 0)",
          "x.select(0, 1.5)", "x.select(0, T.tensor(1))", "x.select(1, -1)", "T.select(x, 1, 0)"]


@pytest.mark.parametrize("code", SELECT)
def test_select_picks_one_index_along_a_dim_as_torch(oracle, code):
    assert_same(oracle, _run(f"x = T.arange(6.0).view(3, 2).requires_grad_()\nout = {code}"))


def test_select_is_a_view_with_select_backward(oracle):
    def program(T):
        x = T.arange(6.0).view(3, 2).requires_grad_()
        y = x.select(1, 0)
        y.sum().backward()
        base = T.arange(6.0).view(3, 2)
        base.select(0, 1).add_(10)
        return y, x.grad, base

    assert_same(oracle, program)
