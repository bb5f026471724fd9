"""``set_default_device`` / ``get_default_device`` and ``torch.accelerator`` answer as a
CPU-only torch build does."""

from __future__ import annotations

import pytest

import gradviz

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("T", [gradviz, torch], ids=["gradviz", "torch"])
def test_default_device_as_a_cpu_only_build(T):
    assert str(T.get_default_device()) == "cpu"
    T.set_default_device("cuda")
    try:
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            T.ones(2)
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            T.get_default_device()
    finally:
        T.set_default_device(None)
    T.set_default_device("cpu")
    assert str(T.ones(1).device) == "cpu" and str(T.get_default_device()) == "cpu"
    T.set_default_device(None)
    assert not T.accelerator.is_available()
    assert T.accelerator.current_accelerator() is None
    assert T.accelerator.device_count() == 0
