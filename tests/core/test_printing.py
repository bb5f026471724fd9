"""Tests for gradviz.core.tensors.printing: NumPy arrays printed exactly like torch tensors.

The first part asserts literal strings (from the PyTorch tutorials / docs, as printed by
torch 2.x) and runs without torch.  The second part uses torch, when it is importable,
as an oracle on many hand-picked and generated arrays.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradviz.core.tensors.printing import format_tensor, get_printoptions, set_printoptions

try:
    import torch
except ImportError:  # the oracle tests are skipped, the literal tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the oracle) is not installed")

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}

# numpy dtypes that map onto torch dtypes
DTYPES = [
    np.float32,
    np.float64,
    np.float16,
    np.int64,
    np.int32,
    np.int16,
    np.int8,
    np.uint8,
    np.bool_,
]
FLOAT_DTYPES = [np.float32, np.float64, np.float16]


@pytest.fixture(autouse=True)
def _reset_printoptions():
    """Every test starts and ends with the default options, for us and for torch."""
    set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")


def f32(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


# ---------------------------------------------------------------------------
# literal expectations (no torch needed)
# ---------------------------------------------------------------------------


def test_ones_vector():
    assert format_tensor(np.ones(5, np.float32)) == "tensor([1., 1., 1., 1., 1.])"


def test_scalar_with_grad_fn():
    out = format_tensor(f32(1.0017), ["grad_fn=<BinaryCrossEntropyWithLogitsBackward0>"])
    assert out == "tensor(1.0017, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"


def test_eye_requires_grad():
    expected = (
        "tensor([[1., 0., 0., 0., 0.],\n"
        "        [0., 1., 0., 0., 0.],\n"
        "        [0., 0., 1., 0., 0.],\n"
        "        [0., 0., 0., 1., 0.]], requires_grad=True)"
    )
    assert format_tensor(np.eye(4, 5, dtype=np.float32), ["requires_grad=True"]) == expected


def test_docstring_example():
    out = format_tensor(f32([1.0, 2.0]), ["requires_grad=True"])
    assert out == "tensor([1., 2.], requires_grad=True)"


def test_integer_matrix_from_list():
    # tensors tutorial: torch.tensor([[1, 2], [3, 4]])
    assert format_tensor(np.array([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"


def test_random_matrix_four_digits():
    # tensors tutorial: torch.rand_like(x_data, dtype=torch.float)
    out = format_tensor(f32([[0.8823, 0.9150], [0.3829, 0.9593]]))
    assert out == "tensor([[0.8823, 0.9150],\n        [0.3829, 0.9593]])"


def test_numpy_bridge_float64():
    # tensors tutorial: torch.from_numpy(np.ones(5)) after np.add(n, 1, out=n)
    out = format_tensor(np.full(5, 2.0))
    assert out == "tensor([2., 2., 2., 2., 2.], dtype=torch.float64)"


def test_ones_with_zero_column_twelve_wide():
    # tensors tutorial: torch.cat([tensor, tensor, tensor], dim=1)
    block = np.ones((4, 4), np.float32)
    block[:, 1] = 0
    row = "[1., 0., 1., 1., 1., 0., 1., 1., 1., 0., 1., 1.]"
    expected = "tensor([" + ",\n        ".join([row] * 4) + "])"
    assert format_tensor(np.concatenate([block] * 3, axis=1)) == expected


def test_dtype_before_caller_suffixes():
    out = format_tensor(np.ones(2), ["requires_grad=True"])
    assert out == "tensor([1., 1.], dtype=torch.float64, requires_grad=True)"
    out = format_tensor(np.full(2, 2.0), ["grad_fn=<MulBackward0>"])
    assert out == "tensor([2., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)"


def test_suffix_wraps_when_line_too_long():
    values = np.arange(1, 28, dtype=np.float64).reshape(3, 9) / 7
    expected = (
        "tensor([[0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429, 1.2857],\n"
        "        [1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286, 2.5714],\n"
        "        [2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143, 3.8571]],\n"
        "       dtype=torch.float64, requires_grad=True)"
    )
    assert format_tensor(values, ["requires_grad=True"]) == expected


@pytest.mark.parametrize(
    ("array", "suffixes", "expected"),
    [
        (np.array([], np.float32), (), "tensor([])"),
        (np.zeros((0, 3), np.float32), (), "tensor([], size=(0, 3))"),
        (np.zeros(0, np.int64), (), "tensor([], dtype=torch.int64)"),
        (np.zeros(0, np.bool_), (), "tensor([], dtype=torch.bool)"),
        (np.zeros((2, 0, 3)), (), "tensor([], size=(2, 0, 3), dtype=torch.float64)"),
        (
            np.zeros((0, 3), np.float32),
            ["requires_grad=True"],
            "tensor([], size=(0, 3), requires_grad=True)",
        ),
    ],
)
def test_empty(array, suffixes, expected):
    assert format_tensor(array, suffixes) == expected


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (f32([np.nan, np.inf, -np.inf, 1.5]), "tensor([   nan,    inf,   -inf, 1.5000])"),
        (f32([np.nan, 2.0]), "tensor([nan, 2.])"),
        (f32([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
        (f32([1.0, 1001.0]), "tensor([1.0000e+00, 1.0010e+03])"),
        (f32([1.0, 1000.0]), "tensor([   1., 1000.])"),
        (f32(1e10), "tensor(1.0000e+10)"),
        (f32([-0.0, 1.0]), "tensor([-0., 1.])"),
        (f32([-0.0, 0.5]), "tensor([-0.0000, 0.5000])"),
        (np.array([-128, 0, 127], np.int8), "tensor([-128,    0,  127], dtype=torch.int8)"),
        (
            np.array([[True, False], [False, True]]),
            "tensor([[ True, False],\n        [False,  True]])",
        ),
        (np.array([1.5, 2.25], np.float16), "tensor([1.5000, 2.2500], dtype=torch.float16)"),
        (np.array(7), "tensor(7)"),
        (np.array(3, np.uint8), "tensor(3, dtype=torch.uint8)"),
    ],
)
def test_element_formatting(array, expected):
    assert format_tensor(array) == expected


def test_line_wrapping_vector():
    expected = (
        "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
        "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
        "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
        "        3.8571, 4.0000, 4.1429])"
    )
    assert format_tensor(np.arange(30, dtype=np.float32) / np.float32(7)) == expected


def test_three_dim_layout():
    expected = (
        "tensor([[[ 0,  1,  2,  3],\n"
        "         [ 4,  5,  6,  7],\n"
        "         [ 8,  9, 10, 11]],\n"
        "\n"
        "        [[12, 13, 14, 15],\n"
        "         [16, 17, 18, 19],\n"
        "         [20, 21, 22, 23]]])"
    )
    assert format_tensor(np.arange(24).reshape(2, 3, 4)) == expected


def test_four_dim_layout():
    expected = (
        "tensor([[[[ 0.,  1.],\n"
        "          [ 2.,  3.]],\n"
        "\n"
        "         [[ 4.,  5.],\n"
        "          [ 6.,  7.]]],\n"
        "\n"
        "\n"
        "        [[[ 8.,  9.],\n"
        "          [10., 11.]],\n"
        "\n"
        "         [[12., 13.],\n"
        "          [14., 15.]]]])"
    )
    assert format_tensor(np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2)) == expected


def test_summarised_vector_in_sci_mode():
    expected = (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "        1.9990e+03])"
    )
    assert format_tensor(np.arange(2000, dtype=np.float32)) == expected


def test_summarised_matrix():
    expected = (
        "tensor([[    0,     1,     2,  ...,   997,   998,   999],\n"
        "        [ 1000,  1001,  1002,  ...,  1997,  1998,  1999],\n"
        "        [ 2000,  2001,  2002,  ...,  2997,  2998,  2999],\n"
        "        ...,\n"
        "        [97000, 97001, 97002,  ..., 97997, 97998, 97999],\n"
        "        [98000, 98001, 98002,  ..., 98997, 98998, 98999],\n"
        "        [99000, 99001, 99002,  ..., 99997, 99998, 99999]])"
    )
    assert format_tensor(np.arange(100_000).reshape(100, 1000)) == expected


def test_threshold_boundary():
    assert "..." not in format_tensor(np.arange(1000))
    assert "..." in format_tensor(np.arange(1001))


def test_set_printoptions_docstring_examples():
    # examples of torch.set_printoptions (the docstring shows one space before "...",
    # torch really prints two: the " ..." element is joined with ", ")
    set_printoptions(precision=2)
    assert format_tensor(f32([1.12345])) == "tensor([1.12])"
    set_printoptions(threshold=5)
    assert format_tensor(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(profile="default")
    assert format_tensor(f32([1.12345])) == "tensor([1.1235])"
    assert format_tensor(np.arange(10)) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


def test_printoptions_roundtrip_and_profiles():
    assert get_printoptions() == DEFAULTS
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full", linewidth=120)
    assert get_printoptions() == {**DEFAULTS, "threshold": math.inf, "linewidth": 120}
    set_printoptions(**DEFAULTS)
    assert get_printoptions() == DEFAULTS


def test_sci_mode_is_reset_by_every_call():
    set_printoptions(sci_mode=True)
    assert format_tensor(f32([1.0, 2.5])) == "tensor([1.0000e+00, 2.5000e+00])"
    set_printoptions(precision=4)  # like torch: sci_mode goes back to automatic
    assert get_printoptions()["sci_mode"] is None
    assert format_tensor(f32([1.0, 2.5])) == "tensor([1.0000, 2.5000])"
    set_printoptions(sci_mode=False)
    assert format_tensor(f32([1e-9, 1e9])) == "tensor([         0.0000, 1000000000.0000])"


def test_edgeitems_zero_adds_size():
    set_printoptions(edgeitems=0, threshold=3)
    assert format_tensor(np.arange(6).reshape(2, 3)) == "tensor([...], size=(2, 3))"
    assert format_tensor(np.arange(2)) == "tensor([0, 1], size=(2,))"


def test_linewidth_option():
    set_printoptions(linewidth=20)
    assert format_tensor(np.arange(6)) == "tensor([0, 1, 2, 3,\n        4, 5])"


def test_rejects_unsupported_input():
    with pytest.raises(TypeError):
        format_tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError):
        format_tensor(np.ones(2, np.complex64))
    with pytest.raises(TypeError):
        format_tensor(np.ones(2, np.float32), "requires_grad=True")


# ---------------------------------------------------------------------------
# torch as the oracle
# ---------------------------------------------------------------------------


def torch_str(array: np.ndarray, autograd: str | None = None) -> str:
    """str() of a torch tensor with the same values; autograd: None, "leaf" or "clone"."""
    tensor = torch.from_numpy(np.array(array, copy=True))
    if autograd is not None:
        tensor.requires_grad_()
        if autograd == "clone":
            tensor = tensor.clone()  # exact copy of the values, grad_fn=<CloneBackward0>
    text = str(tensor)
    assert repr(tensor) == text
    return text


def assert_like_torch(array: np.ndarray) -> None:
    assert format_tensor(array) == torch_str(array)


def _tricky_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(1234)
    cases = {
        "ones5": np.ones(5, np.float32),
        "eye4x5": np.eye(4, 5, dtype=np.float32),
        "scalar": f32(1.0017),
        "scalar_int": np.array(-42),
        "scalar_bool": np.array(True),
        "scalar_nan": f32(np.nan),
        "scalar_neg_inf": np.array(-np.inf),
        "scalar_neg_zero": f32(-0.0),
        "scalar_tiny": np.array(1e-300),
        "scalar_huge_f16": np.array(65504, np.float16),
        "empty": np.array([], np.float32),
        "empty_0x3": np.zeros((0, 3), np.float32),
        "empty_2x0x3": np.zeros((2, 0, 3), np.float32),
        "len1": f32([3.25]),
        "1x1x1": f32([[[-7.5]]]),
        "4d": rng.normal(size=(2, 3, 4, 5)).astype(np.float32),
        "4d_summarised": rng.normal(size=(7, 8, 9, 10)).astype(np.float32),
        "ratio_1000": f32([1.0, 1000.0]),
        "ratio_1001": f32([1.0, 1001.0]),
        "big_1e8": f32([1e8, 2.0e8]),
        "big_just_1e8": np.array([1e8, 1e7]),
        "small_1e-4": f32([1e-4, 2e-4]),
        "small_below_1e-4": np.array([9.99e-5, 2e-4]),
        "nan_inf_mix": f32([np.nan, np.inf, -np.inf, 1.5, -2.25]),
        "nan_inf_ints": f32([np.nan, np.inf, -np.inf, 1.0, -20.0]),
        "all_nan": f32([np.nan, np.nan]),
        "all_inf": f32([np.inf, -np.inf]),
        "inf_sci": f32([np.inf, 1e-7, 3.0]),
        "neg_zero_int": f32([-0.0, 1.0]),
        "neg_zero_frac": f32([-0.0, 0.5]),
        "neg_zero_sci": f32([-0.0, 1e-6, 5.0]),
        "zeros_only": np.zeros((3, 3), np.float32),
        "three_digit_exponent": np.array([1e-300, 1e300, -5.0]),
        "subnormal": np.array([5e-324, 1.0]),
        "float16_range": np.array([6.1e-5, 65504, -3.0], np.float16),
        "float64_fine": np.array([0.1, 0.2 + 0.1, 1 / 3]),
        "half_even_rounding": np.array([0.5, 1.5, 2.5, 0.00005, 0.00015]),
        "int64_extremes": np.array([np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max]),
        "int32": rng.integers(-(2**31), 2**31 - 1, (4, 6)).astype(np.int32),
        "int16": rng.integers(-(2**15), 2**15 - 1, 20).astype(np.int16),
        "int8": np.arange(-128, 128, dtype=np.int8).reshape(16, 16),
        "uint8": np.arange(256, dtype=np.uint8),
        "bool_3d": rng.random((3, 4, 5)) > 0.5,
        "wrap_vector": np.arange(30, dtype=np.float32) / np.float32(7),
        "wrap_rows": rng.normal(size=(3, 40)).astype(np.float32),
        "wrap_3d": rng.normal(size=(2, 2, 25)).astype(np.float64) * 1e3,
        "large_2000": rng.normal(size=2000).astype(np.float32),
        "large_100000": rng.normal(size=100_000).astype(np.float32),
        "large_100000_2d": np.arange(100_000).reshape(100, 1000),
        "large_3d": rng.normal(size=(10, 10, 1000)).astype(np.float64),
        "exactly_1000": np.arange(1000, dtype=np.float32),
        "exactly_1001": np.arange(1001, dtype=np.float32),
        "summarised_int_mode": np.arange(2000, dtype=np.float32).reshape(40, 50) - 1000,
        "summarised_nan": np.where(np.arange(3000) % 7 == 0, np.nan, 1.0).astype(np.float32),
        "big_endian": np.arange(6, dtype=">f4").reshape(2, 3) / 3,
    }
    for dtype in DTYPES:
        values = rng.normal(size=(3, 4)) * 50
        cases[f"dtype_{np.dtype(dtype).name}"] = values.astype(dtype)
        cases[f"empty_{np.dtype(dtype).name}"] = np.zeros((0, 2), dtype)
    return sorted(cases.items())


TRICKY = _tricky_cases()
SHAPES = [(), (1,), (7,), (1, 1, 1), (2, 3), (5, 17), (3, 1, 9), (2, 3, 4, 2), (40, 40)]
SCALES = [1e-8, 1e-5, 1e-3, 1.0, 1e2, 1e4, 1e8]


@needs_torch
class TestAgainstTorch:
    @pytest.mark.parametrize(("name", "array"), TRICKY, ids=[name for name, _ in TRICKY])
    def test_tricky(self, name, array):
        assert_like_torch(array)

    @pytest.mark.parametrize("dtype", FLOAT_DTYPES)
    @pytest.mark.parametrize("scale", SCALES)
    @pytest.mark.parametrize("shape", SHAPES)
    def test_random_normal(self, shape, scale, dtype):
        seed = zlib.crc32(repr((shape, scale, np.dtype(dtype).name)).encode())
        values = np.random.default_rng(seed).normal(size=shape) * scale
        with np.errstate(over="ignore"):  # 1e8-scale values overflow float16 to inf
            values = values.astype(dtype)
        assert_like_torch(values)

    @pytest.mark.parametrize("dtype", FLOAT_DTYPES)
    @pytest.mark.parametrize("autograd", ["leaf", "clone"])
    @pytest.mark.parametrize("shape", [(), (0,), (0, 3), (2,), (3, 9), (4, 5), (2, 3, 10), (1500,)])
    def test_autograd_suffixes(self, shape, autograd, dtype):
        values = np.random.default_rng(7).normal(size=shape).astype(dtype)
        suffix = "requires_grad=True" if autograd == "leaf" else "grad_fn=<CloneBackward0>"
        assert format_tensor(values, [suffix]) == torch_str(values, autograd)

    @pytest.mark.parametrize(
        "options",
        [
            {"precision": 2},
            {"precision": 0},
            {"precision": 10},
            {"threshold": 5},
            {"threshold": 0},
            {"edgeitems": 1, "threshold": 10},
            {"edgeitems": 0, "threshold": 10},
            {"edgeitems": 0},
            {"linewidth": 30},
            {"linewidth": 1},
            {"sci_mode": True},
            {"sci_mode": False},
            {"profile": "short"},
            {"profile": "full"},
        ],
    )
    @pytest.mark.parametrize(("name", "array"), TRICKY[::4], ids=[n for n, _ in TRICKY[::4]])
    def test_printoptions(self, name, array, options):
        set_printoptions(**options)
        torch.set_printoptions(**options)
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        assert_like_torch(array)

    @settings(max_examples=300, deadline=None, database=None)
    @given(
        array=st.sampled_from(DTYPES).flatmap(
            lambda dtype: hnp.arrays(
                dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
            )
        )
    )
    def test_hypothesis_arrays(self, array):
        assert_like_torch(array)

    @settings(max_examples=200, deadline=None, database=None)
    @given(
        seed=st.integers(0, 2**32 - 1),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=8),
        log_scale=st.floats(-8, 8),
        dtype=st.sampled_from(FLOAT_DTYPES),
        special=st.sampled_from([None, np.nan, np.inf, -np.inf, -0.0, 0.0]),
    )
    def test_hypothesis_scaled_normal(self, seed, shape, log_scale, dtype, special):
        rng = np.random.default_rng(seed)
        values = rng.normal(size=shape) * 10.0**log_scale
        if special is not None and values.ndim:
            values[tuple(rng.integers(0, n) for n in values.shape)] = special
        with np.errstate(over="ignore"):  # 1e8-scale values overflow float16 to inf
            values = values.astype(dtype)
        assert_like_torch(values)

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        array=st.sampled_from([np.float32, np.float64, np.int64, np.bool_]).flatmap(
            lambda dtype: hnp.arrays(
                dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12)
            )
        ),
        precision=st.integers(0, 8),
        threshold=st.sampled_from([0, 1, 10, 50, 1000]),
        edgeitems=st.integers(0, 4),
        linewidth=st.integers(1, 150),
        sci_mode=st.sampled_from([None, True, False]),
        suffix=st.sampled_from([None, "requires_grad=True", "grad_fn=<CloneBackward0>"]),
    )
    def test_hypothesis_options(
        self, array, precision, threshold, edgeitems, linewidth, sci_mode, suffix
    ):
        options = {
            "precision": precision,
            "threshold": threshold,
            "edgeitems": edgeitems,
            "linewidth": linewidth,
            "sci_mode": sci_mode,
        }
        set_printoptions(**options)
        torch.set_printoptions(**options)
        try:
            if suffix is not None and array.dtype.kind != "f":
                suffix = None  # only floating tensors can require grad
            autograd = {None: None, "requires_grad=True": "leaf"}.get(suffix, "clone")
            expected = torch_str(array, autograd)
            assert format_tensor(array, [suffix] if suffix else []) == expected
        finally:
            set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
