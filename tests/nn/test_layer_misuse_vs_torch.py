"""Misusing layers, losses and modules as a learner does, on gradviz and on torch: the
same exception type and message (torch's type names spelled ``gradviz.``), or the same
result where torch gives one."""

from __future__ import annotations

import pytest

import gradviz


def _outcome(lib, code):
    scope = {"T": lib, "nn": lib.nn, "F": lib.nn.functional}
    try:
        exec(code, scope)  # noqa: S102 - the test's own programs
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return type(exc).__name__, str(exc).replace("torch.", "gradviz.")
    out = scope.get("out")
    return "result", (tuple(out) if out is not None else None)


def _same_as_torch(oracle, code):
    want = _outcome(oracle, code)
    assert _outcome(gradviz, code) == want
    return want


BATCH_NORM = {
    "features_do_not_match": "nn.BatchNorm1d(3)(T.ones(2, 4))",
    "features_do_not_match_in_eval": "m = nn.BatchNorm1d(3)\nm.eval()\nm(T.ones(2, 4))",
    "features_do_not_match_2d": "nn.BatchNorm2d(3)(T.ones(2, 4, 5, 5))",
    "no_running_stats": "nn.BatchNorm1d(3, track_running_stats=False)(T.ones(2, 4))",
    "no_affine": "nn.BatchNorm1d(3, affine=False)(T.ones(2, 4))",
    "functional_weight": ("F.batch_norm(T.ones(2, 3), T.zeros(3), T.ones(3), "
                          "weight=T.ones(4))"),
    "functional_bias": "F.batch_norm(T.ones(2, 3), T.zeros(3), T.ones(3), bias=T.ones(4))",
    "functional_running_var": "F.batch_norm(T.ones(2, 3), T.zeros(3), T.ones(4))",
    "functional_eval_without_stats": "F.batch_norm(T.ones(2, 3), None, None)",
    "functional_eval_without_var": "F.batch_norm(T.ones(2, 3), T.zeros(3), None)",
    "functional_mean_before_missing_var": "F.batch_norm(T.ones(2, 3), T.zeros(4), None)",
    "one_value_per_channel_first": ("F.batch_norm(T.ones(1, 3), T.zeros(4), None, "
                                    "training=True)"),
}

POOLING = {
    "max_pool2d_window_bigger_than_input": "F.max_pool2d(T.ones(1, 1, 1, 1), 2)",
    "max_pool2d_unbatched": "F.max_pool2d(T.ones(1, 1, 1), 2)",
    "max_pool2d_module": "nn.MaxPool2d(3)(T.ones(1, 2, 2, 2))",
    "max_pool2d_height_only": "F.max_pool2d(T.ones(1, 1, 1, 5), 2)",
    "max_pool2d_ceil_mode_fits": "out = F.max_pool2d(T.ones(1, 1, 3, 3), 2, ceil_mode=True).shape",
    "max_pool2d_dilated": "F.max_pool2d(T.ones(1, 1, 4, 4), 2, dilation=4)",
    "max_pool1d_window_bigger_than_input": "F.max_pool1d(T.ones(1, 1, 1), 2)",
    "max_pool1d_module": "nn.MaxPool1d(4)(T.ones(2, 3))",
    "max_pool1d_padded_fits": "out = F.max_pool1d(T.ones(1, 1, 1), 2, padding=1).shape",
    "avg_pool2d_window_bigger_than_input": "F.avg_pool2d(T.ones(1, 1, 1, 1), 2)",
    "avg_pool1d_window_bigger_than_input": "F.avg_pool1d(T.ones(1, 1, 1), 2)",
    "avg_pool2d_module": "nn.AvgPool2d(5)(T.ones(2, 3, 4, 4))",
}

BCE_WITH_LOGITS = {
    "long_target": "F.binary_cross_entropy_with_logits(T.tensor([0.5]), T.tensor([1]))",
    "long_target_double_input": ("F.binary_cross_entropy_with_logits("
                                 "T.tensor([0.5], dtype=T.float64), T.tensor([1]))"),
    "int_target": ("F.binary_cross_entropy_with_logits(T.tensor([0.5]), "
                   "T.tensor([1], dtype=T.int32))"),
    "bool_target": "F.binary_cross_entropy_with_logits(T.tensor([0.5]), T.tensor([True]))",
    "long_input": "F.binary_cross_entropy_with_logits(T.tensor([1]), T.tensor([1.0]))",
    "module_long_target": "nn.BCEWithLogitsLoss()(T.tensor([0.5]), T.tensor([1]))",
    "size_before_dtype": "nn.BCEWithLogitsLoss()(T.tensor([0.5, 1.0]), T.tensor([1]))",
    "double_target": ("out = F.binary_cross_entropy_with_logits(T.tensor([0.5]), "
                      "T.tensor([1.0], dtype=T.float64)).shape"),
}


@pytest.mark.parametrize("code", BATCH_NORM.values(), ids=BATCH_NORM.keys())
def test_batch_norm_checks_its_per_channel_tensors_as_torch(oracle, code):
    _same_as_torch(oracle, code)


@pytest.mark.parametrize("code", POOLING.values(), ids=POOLING.keys())
def test_pooling_window_larger_than_the_input_raises_as_torch(oracle, code):
    _same_as_torch(oracle, code)


@pytest.mark.parametrize("code", BCE_WITH_LOGITS.values(), ids=BCE_WITH_LOGITS.keys())
def test_bce_with_logits_refuses_integer_targets_as_torch(oracle, code):
    _same_as_torch(oracle, code)


MODULES = {
    "load_state_dict_of_a_list": "nn.Linear(2, 2).load_state_dict([1, 2])",
    "load_state_dict_of_none": "nn.Linear(2, 2).load_state_dict(None)",
    "load_state_dict_of_a_tensor": "nn.Linear(2, 2).load_state_dict(T.ones(2))",
    "load_state_dict_of_an_ordered_dict": (
        "import collections\nm = nn.Linear(2, 2)\n"
        "out = [repr(m.load_state_dict(collections.OrderedDict(m.state_dict())))]"),
    "parameter_of_longs": "nn.Parameter(T.tensor([1, 2]))",
    "parameter_of_bools": "nn.Parameter(T.tensor([True]))",
    "parameter_of_longs_without_grad": (
        "out = [nn.Parameter(T.tensor([1, 2]), requires_grad=False).requires_grad]"),
    "module_name_with_a_dot": "nn.Module().add_module('a.b', nn.ReLU())",
    "register_module_name_with_a_dot": "nn.Module().register_module('a.b', nn.ReLU())",
    "sequential_name_with_a_dot": "nn.Sequential().add_module('a.b', nn.ReLU())",
    "module_name_empty": "nn.Module().add_module('', nn.ReLU())",
    "module_name_taken": "nn.Linear(1, 1).add_module('weight', nn.ReLU())",
    "buffer_name_with_a_dot": "nn.Module().register_buffer('a.b', T.ones(1))",
    "parameter_name_with_a_dot": "nn.Module().register_parameter('a.b', nn.Parameter(T.ones(1)))",
    "linear_negative_in_features": "nn.Linear(-1, 2)",
    "linear_negative_out_features": "nn.Linear(2, -1)",
    "linear_float_in_features": "nn.Linear(2.5, 2)",
    "linear_float_out_features": "nn.Linear(2, 2.5)",
    "linear_dtype_string": "nn.Linear(2, 2, dtype='float')",
    "linear_long_dtype": "nn.Linear(2, 2, dtype=T.int64)",
    "linear_double": "out = [str(nn.Linear(2, 2, dtype=T.float64).weight.dtype)]",
}


@pytest.mark.parametrize("code", MODULES.values(), ids=MODULES.keys())
def test_module_construction_and_state_misuse_as_torch(oracle, code):
    _same_as_torch(oracle, code)


def test_initialising_an_empty_weight_warns_as_torch(oracle):
    for lib in (gradviz, oracle):
        with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
            assert lib.nn.Linear(0, 2).weight.shape == (2, 0)
        for init in (lib.nn.init.kaiming_uniform_, lib.nn.init.kaiming_normal_):
            with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
                init(lib.ones(0, 3))


def _scheduler_warnings(lib, make, program):
    import warnings

    a = lib.ones(2, requires_grad=True)
    opt = lib.optim.SGD([a], lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = make(lib.optim.lr_scheduler, opt)
        program(lib, a, opt, sched)
    return opt.param_groups[0]["lr"], [(w.category.__name__, str(w.message)) for w in caught]


SCHEDULERS = {
    "step": lambda S, o: S.StepLR(o, 1),
    "multistep": lambda S, o: S.MultiStepLR(o, [1]),
    "exponential": lambda S, o: S.ExponentialLR(o, 0.5),
    "cosine": lambda S, o: S.CosineAnnealingLR(o, 3),
    "lambda": lambda S, o: S.LambdaLR(o, lambda e: 0.5 ** e),
}


def _scheduler_first(lib, a, opt, sched):
    sched.step()
    sched.step()


def _optimizer_first(lib, a, opt, sched):
    for _ in range(2):
        (a * a).sum().backward()
        opt.step()
        sched.step()


def _step_replaced(lib, a, opt, sched):
    opt.step = lambda: None
    sched.step()


def _stepped_before_the_scheduler(lib, a, opt, sched):
    sched.step()


@pytest.mark.parametrize("make", SCHEDULERS.values(), ids=SCHEDULERS.keys())
@pytest.mark.parametrize("program", [_scheduler_first, _optimizer_first, _step_replaced],
                         ids=["scheduler_first", "optimizer_first", "step_replaced"])
def test_scheduler_stepped_before_the_optimizer_warns_as_torch(oracle, make, program):
    assert _scheduler_warnings(gradviz, make, program) == _scheduler_warnings(oracle, make,
                                                                              program)


def test_scheduler_order_check_counts_only_steps_after_it_was_made(oracle):
    def make(S, o):
        o.step()  # before the scheduler: torch does not count it
        return S.StepLR(o, 1)

    got = _scheduler_warnings(gradviz, make, _stepped_before_the_scheduler)
    assert got == _scheduler_warnings(oracle, make, _stepped_before_the_scheduler)
    assert "before `optimizer.step()`" in got[1][0][1]


def test_a_scheduled_optimizer_copies_and_pickles_plainly():
    import copy
    import pickle

    a = gradviz.ones(2, requires_grad=True)
    opt = gradviz.optim.SGD([a], lr=0.1)
    gradviz.optim.lr_scheduler.StepLR(opt, 1)
    twin = copy.deepcopy(opt)
    twin.step()
    assert getattr(opt, "_opt_called", False) is False and twin._opt_called is True
    assert pickle.loads(pickle.dumps(opt)).param_groups[0]["lr"] == 0.1


DTYPE_MISMATCH = {
    "conv2d_double_input": "nn.Conv2d(1, 1, 3)(T.ones(1, 1, 5, 5, dtype=T.float64))",
    "conv2d_long_input": "nn.Conv2d(1, 1, 3)(T.ones(1, 1, 5, 5, dtype=T.long))",
    "conv2d_int_input": "nn.Conv2d(1, 1, 3)(T.ones(1, 1, 5, 5, dtype=T.int32))",
    "conv2d_half_input": "nn.Conv2d(1, 1, 3)(T.ones(1, 1, 5, 5, dtype=T.float16))",
    "conv1d_double_input": "nn.Conv1d(1, 1, 3)(T.ones(1, 1, 5, dtype=T.float64))",
    "conv2d_double_input_no_bias": ("nn.Conv2d(1, 1, 3, bias=False)"
                                    "(T.ones(1, 1, 5, 5, dtype=T.float64))"),
    "conv2d_double_bias": ("F.conv2d(T.ones(1, 1, 5, 5), T.ones(1, 1, 3, 3), "
                           "T.ones(1, dtype=T.float64))"),
    "rnn_double_input": "nn.RNN(2, 3)(T.ones(1, 1, 2, dtype=T.float64))",
    "lstm_double_input": "nn.LSTM(2, 3)(T.ones(1, 1, 2, dtype=T.float64))",
    "gru_double_input": "nn.GRU(2, 3)(T.ones(1, 1, 2, dtype=T.float64))",
    "rnn_double_unbatched_input": "nn.RNN(2, 3)(T.ones(1, 2, dtype=T.float64))",
    "rnn_dtype_before_size": "nn.RNN(2, 3)(T.ones(1, 1, 5, dtype=T.float64))",
    "rnn_long_input": "nn.RNN(2, 3)(T.ones(1, 1, 2, dtype=T.long))",
    "rnn_double_model": ("out = nn.RNN(2, 3).double()(T.ones(1, 1, 2, dtype=T.float64))[0]"
                         ".shape"),
    "batch_norm_double_input": "nn.BatchNorm1d(2)(T.ones(3, 2, dtype=T.float64))",
    "batch_norm_double_input_in_eval": ("m = nn.BatchNorm1d(2)\nm.eval()\n"
                                        "m(T.ones(3, 2, dtype=T.float64))"),
    "batch_norm_double_model": "nn.BatchNorm1d(2).double()(T.ones(3, 2))",
    "batch_norm_channels_before_dtype": "nn.BatchNorm1d(2)(T.ones(3, 4, dtype=T.float64))",
    "batch_norm_double_bias": ("F.batch_norm(T.ones(3, 2), T.zeros(2), T.ones(2), T.ones(2), "
                               "T.ones(2, dtype=T.float64))"),
    "batch_norm_double_running_mean": ("F.batch_norm(T.ones(3, 2), "
                                       "T.zeros(2, dtype=T.float64), T.ones(2))"),
    "layer_norm_double_input": "nn.LayerNorm(2)(T.ones(3, 2, dtype=T.float64))",
    "layer_norm_double_model": "nn.LayerNorm(2).double()(T.ones(3, 2))",
    "layer_norm_double_bias": ("F.layer_norm(T.ones(3, 2), (2,), T.ones(2), "
                               "T.ones(2, dtype=T.float64))"),
    "layer_norm_without_parameters": ("out = nn.LayerNorm(2, elementwise_affine=False)"
                                      "(T.ones(3, 2, dtype=T.float64)).shape"),
}


@pytest.mark.parametrize("code", DTYPE_MISMATCH.values(), ids=DTYPE_MISMATCH.keys())
def test_layers_given_another_dtype_raise_as_torch(oracle, code):
    _same_as_torch(oracle, code)


DROPOUT = {
    "training_a_string": "F.dropout(T.ones(2), training='yes')",
    "training_an_int": "F.dropout(T.ones(2), training=1)",
    "training_none": "F.dropout(T.ones(2), 0.5, None)",
    "probability_first": "F.dropout(T.ones(2), p=1.5, training=1)",
    "input_a_list": "F.dropout([1.0])",
    "input_an_array": "import numpy as np\nF.dropout(np.ones(2))",
    "nothing_to_drop": "F.dropout(T.ones(0), training=1)",
    "zero_probability": "F.dropout(T.ones(2), 0.0, 'x')",
    "not_training": "out = F.dropout(T.ones(2), training=False).shape",
}


@pytest.mark.parametrize("code", DROPOUT.values(), ids=DROPOUT.keys())
def test_dropout_checks_its_arguments_as_torch(oracle, code):
    _same_as_torch(oracle, code)
