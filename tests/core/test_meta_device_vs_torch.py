"""The meta device against torch: tensors with a shape and a dtype and no data, printed as
torch prints them, ops and modules giving shapes, reading values failing with torch's
errors, and no memory for sizes no machine holds."""

from __future__ import annotations

import tracemalloc

import pytest

import gradviz

torch = pytest.importorskip("torch")

PROGRAMS = {
    "factories": lambda T: [T.ones(2, 3, device="meta"), T.zeros(4, dtype=T.int64,
                                                                 device="meta"),
                            T.randn(3, 2, device="meta", requires_grad=True),
                            T.tensor(2.0, device="meta"), T.ones(0, device="meta"),
                            T.full((2,), 7, device="meta"), T.rand(1, 2, device="meta"),
                            T.empty(2, 2, device="meta", dtype=T.float64)],
    "ops": lambda T: (lambda a, w: [a @ w, (a * 2 + 1).exp(), a.sum(), a.sum(0), a.mean(1),
                                    a[0], a.T, a.reshape(3, 2), a.view(-1), a.unsqueeze(0),
                                    T.cat([a, a]), a.softmax(-1), T.zeros_like(a),
                                    (a @ w).relu()])(
        T.ones(2, 3, device="meta"), T.randn(3, 2, device="meta", requires_grad=True)),
    "device_block": lambda T: (lambda: [T.randn(4, 5), T.arange(3.0) if False else
                                        T.ones(3)])(),
    "to_meta": lambda T: [T.ones(3).to("meta"), T.nn.Linear(5, 3).to("meta").weight,
                          T.nn.Linear(5, 3).to("meta")(T.randn(4, 5, device="meta")),
                          T.nn.Conv2d(3, 5, 2).to("meta")(T.rand(2, 3, 10, 10, device="meta"))],
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_meta_tensors_print_as_torch(name):
    seen = []
    for T in (gradviz, torch):
        T.manual_seed(0)
        if name == "device_block":
            with T.device("meta"):
                out = PROGRAMS[name](T)
        else:
            out = PROGRAMS[name](T)
        seen.append([(str(t), tuple(t.shape), str(t.dtype), str(t.device), t.is_meta)
                     for t in out])
    assert seen[0] == seen[1]


@pytest.mark.parametrize("T", [gradviz, torch], ids=["gradviz", "torch"])
def test_reading_values_fails_as_torch(T):
    a = T.ones(2, 3, device="meta")
    with pytest.raises(RuntimeError, match="Tensor.item\\(\\) cannot be called on meta "
                                           "tensors"):
        a.sum().item()
    with pytest.raises(RuntimeError, match="Tensor.item\\(\\) cannot be called on meta"):
        float(a.sum())
    with pytest.raises(TypeError, match="can't convert meta device type tensor to numpy"):
        a.numpy()
    with pytest.raises(NotImplementedError, match="Cannot copy out of meta tensor; no data!"):
        a.tolist()
    with pytest.raises(NotImplementedError, match="Cannot copy out of meta tensor; no data!"):
        a.to("cpu")


def test_sizes_no_machine_holds_take_no_memory():
    tracemalloc.start()
    try:
        x = gradviz.rand(2 ** 10, 3, 2 ** 16, 2 ** 16, device="meta")  # 52 TB of float32
        y = (x * 2 + 1).relu().sum(1)
        z = x.permute(1, 0, 2, 3).mean()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 ** 7
    assert y.shape == (2 ** 10, 2 ** 16, 2 ** 16) and y.is_meta and z.shape == ()
    assert str(y) == str(torch.rand(2 ** 10, 3, 2 ** 16, 2 ** 16, device="meta")
                         .mul(2).add(1).relu().sum(1))
