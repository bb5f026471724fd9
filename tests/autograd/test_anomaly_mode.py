"""``gradviz.autograd.detect_anomaly`` / ``set_detect_anomaly`` against torch's: the same
error for a NaN born in backward, the same warning with the forward line that made it."""

from __future__ import annotations

import warnings

import pytest

import gradviz


def _log_times_zero(lib, anomaly):
    """x == 0: log's backward computes 0 / 0. Returns (error text, warning texts, line)."""
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with anomaly():
            y = lib.log(x); line = "y = lib.log(x); line = ..."  # noqa: E702
            z = (y * 0).sum()
            with pytest.raises(RuntimeError) as err:
                z.backward()
    return str(err.value), [str(w.message) for w in caught], line


@pytest.mark.parametrize("mode", ["detect_anomaly", "set_detect_anomaly"])
def test_nan_in_backward_raises_and_warns_as_torch(oracle, mode):
    def anomaly_of(lib):
        return (lambda: lib.autograd.detect_anomaly()) if mode == "detect_anomaly" else (
            lambda: lib.autograd.set_detect_anomaly(True))
    ours = _log_times_zero(gradviz, anomaly_of(gradviz))
    theirs = _log_times_zero(oracle, anomaly_of(oracle))
    assert ours[0] == theirs[0] == "Function 'LogBackward0' returned nan values in its 0th output."
    ours_detected = [w for w in ours[1] if w.startswith("Error detected")]
    theirs_detected = [w for w in theirs[1] if w.startswith("Error detected")]
    assert len(ours_detected) == len(theirs_detected) == 1
    head = "Error detected in LogBackward0. Traceback of forward call that caused the error:\n"
    assert ours_detected[0].startswith(head) and theirs_detected[0].startswith(head)
    for text in (ours_detected[0], theirs_detected[0]):  # the user's line, not the library's
        assert "y = lib.log(x)" in text and __file__ in text
    assert "gradviz/core" not in ours_detected[0]
    enabled = [w for w in ours[1] if w.startswith("Anomaly Detection has been enabled")]
    assert len(enabled) == len([w for w in theirs[1] if w.startswith("Anomaly Detection")])
    assert not gradviz.is_anomaly_enabled() and not oracle.is_anomaly_enabled()


def test_enabled_only_for_backward_says_no_forward_information(oracle):
    messages = []
    for lib in (gradviz, oracle):
        x = lib.tensor([0.0], requires_grad=True)
        z = (lib.log(x) * 0).sum()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.set_detect_anomaly(True), pytest.raises(RuntimeError):
                z.backward()
        messages.append([str(w.message).split(" (Triggered")[0] for w in caught])
    assert messages[0] == messages[1]
    assert "No forward pass information available" in messages[0][0]


def test_state_functions_and_check_nan_false_as_torch(oracle):
    for lib in (gradviz, oracle):
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled()
            assert not lib.is_anomaly_check_nan_enabled()
            a = lib.tensor([0.0], requires_grad=True)
            (lib.sqrt(a) * 0).sum().backward()  # NaN passes silently without check_nan
            assert a.grad.numpy()[0] != a.grad.numpy()[0]  # NaN
        assert not lib.is_anomaly_enabled()
        assert lib.is_anomaly_check_nan_enabled()


def test_formula_error_gets_the_forward_traceback(oracle):
    def run(lib):
        class Boom(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                raise ValueError("boom")

        x = lib.ones(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.set_detect_anomaly(True):
                q = Boom.apply(x)
                with pytest.raises(ValueError, match="boom"):
                    q.sum().backward()
        return [str(w.message) for w in caught if "Error detected" in str(w.message)]

    ours, theirs = run(gradviz), run(oracle)
    assert len(ours) == len(theirs) == 1
    assert ours[0].startswith("Error detected in BoomBackward. Traceback of forward call")
    assert theirs[0].startswith("Error detected in BoomBackward. Traceback of forward call")
    assert "q = Boom.apply(x)" in ours[0]


def test_off_by_default_and_nan_passes_silently():
    x = gradviz.tensor([0.0], requires_grad=True)
    (gradviz.log(x) * 0).sum().backward()
    assert x.grad.numpy()[0] != x.grad.numpy()[0]  # NaN
