"""Counting and index helpers without gradients (``nonzero``, ``argwhere``,
``count_nonzero``, ``isclose``, ``tril_indices``, ``triu_indices``, ``repeat_interleave`` of
counts), ``finfo``/``iinfo`` and ``testing.assert_close``, against torch."""

from __future__ import annotations

import pytest

import gradviz

torch = pytest.importorskip("torch")

PROGRAMS = {
    "nonzero": lambda T: T.nonzero(T.tensor([[1, 0, 2], [0, 3, 0]])),
    "nonzero_tuple": lambda T: T.nonzero(T.tensor([1.0, 0.0, 3.0]), as_tuple=True),
    "argwhere": lambda T: T.argwhere(T.tensor([[True, False], [False, True]])),
    "count_nonzero": lambda T: (T.count_nonzero(T.tensor([[1, 0], [2, 3]])),
                                T.count_nonzero(T.tensor([[1, 0], [2, 3]]), dim=1)),
    "isclose": lambda T: T.isclose(T.tensor([1.0, 2.0, float("nan")]),
                                   T.tensor([1.0 + 1e-9, 2.1, float("nan")]), equal_nan=True),
    "tril_indices": lambda T: (T.tril_indices(3, 4), T.tril_indices(3, 3, -1)),
    "triu_indices": lambda T: T.triu_indices(4, 3, 1),
    "repeat_counts": lambda T: T.repeat_interleave(T.tensor([2, 0, 1])),
    "finfo": lambda T: (repr(T.finfo(T.float32)), repr(T.finfo(T.float64)), T.finfo().eps,
                        T.finfo(T.float16).max, T.finfo(T.float32).tiny),
    "iinfo": lambda T: (repr(T.iinfo(T.int64)), repr(T.iinfo(T.uint8)), T.iinfo(T.int32).max,
                        T.iinfo(T.int16).bits),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_matches_torch(name):
    got, want = PROGRAMS[name](gradviz), PROGRAMS[name](torch)
    assert str(got).replace("gradviz", "torch") == str(want)


@pytest.mark.parametrize("T", [gradviz, torch], ids=["gradviz", "torch"])
def test_assert_close_passes_and_fails_as_torch(T):
    T.testing.assert_close(T.tensor([1.0, 2.0]), T.tensor([1.0, 2.000001]))
    with pytest.raises(AssertionError) as info:
        T.testing.assert_close(T.tensor([1.0, 2.0, 3.0]), T.tensor([1.0, 2.5, 3.0]))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 "
        "allowed)")
    with pytest.raises(AssertionError, match="The values for attribute 'dtype' do not match"):
        T.testing.assert_close(T.tensor([1.0]), T.tensor([1.0], dtype=T.float64))
