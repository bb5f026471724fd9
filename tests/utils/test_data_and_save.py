"""torch.utils.data, torch.save/torch.load, torch.cuda and torch.backends against torch:
the same seeded shuffles, collated batches and following random numbers; files that
round-trip tensors, state dicts, optimizer states and (with weights_only=False) modules."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _epochs(T, **options):
    T.manual_seed(0)
    ds = T.utils.data.TensorDataset(T.arange(14.).reshape(7, 2), T.arange(7))
    seen = []
    for _ in range(2):
        seen.append([(xb.tolist(), yb.tolist())
                     for xb, yb in T.utils.data.DataLoader(ds, **options)])
    return seen, T.randn(3).tolist()


@pytest.mark.parametrize("options", [dict(batch_size=3, shuffle=True),
                                     dict(batch_size=2, shuffle=True, drop_last=True),
                                     dict(batch_size=4), dict(batch_size=None)])
def test_dataloader_batches_match_torch(options):
    ours, theirs = _epochs(gradviz, **options), _epochs(torch, **options)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


def test_random_split_subset_and_collate_match_torch():
    got, want = [], []
    for T, out in ((gradviz, got), (torch, want)):
        T.manual_seed(3)
        a, b = T.utils.data.random_split(range(10), [0.3, 0.7])
        batch = T.utils.data.default_collate([(1.5, 2, {"a": T.ones(2)}),
                                              (2.5, 3, {"a": T.zeros(2)})])
        out.extend([list(a), list(b), len(T.utils.data.ConcatDataset([a, b])), str(batch)])
    assert got == want


def test_loader_length_and_custom_dataset():
    class Squares(gradviz.utils.data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return float(i * i)

    loader = gradviz.utils.data.DataLoader(Squares(), batch_size=2)
    assert len(loader) == 3
    assert [b.tolist() for b in loader] == [[0.0, 1.0], [4.0, 9.0], [16.0]]


def _roundtrip(obj, **load_options):
    buffer = io.BytesIO()
    gradviz.save(obj, buffer)
    buffer.seek(0)
    return gradviz.load(buffer, **load_options)


def test_state_dicts_round_trip(tmp_path):
    gradviz.manual_seed(0)
    model = gradviz.nn.Sequential(gradviz.nn.Linear(3, 4), gradviz.nn.ReLU(),
                                  gradviz.nn.Linear(4, 1))
    opt = gradviz.optim.Adam(model.parameters())
    model(gradviz.randn(2, 3)).sum().backward()
    opt.step()
    path = tmp_path / "model.pt"
    gradviz.save(model.state_dict(), path)
    fresh = gradviz.nn.Sequential(gradviz.nn.Linear(3, 4), gradviz.nn.ReLU(),
                                  gradviz.nn.Linear(4, 1))
    assert str(fresh.load_state_dict(gradviz.load(path))) == "<All keys matched successfully>"
    for a, b in zip(model.parameters(), fresh.parameters(), strict=True):
        assert a.equal(b)
    state = _roundtrip(opt.state_dict())
    assert str(state) == str(opt.state_dict())
    assert type(_roundtrip(model.state_dict())).__name__ == "OrderedDict"


def test_tensors_parameters_and_plain_values_round_trip():
    p = gradviz.nn.Parameter(gradviz.ones(2))
    obj = {"a": p, "b": gradviz.ones(2, requires_grad=True), 3: [1.5, "x", float("inf"),
           (gradviz.float64, gradviz.Size([2]))], "s": gradviz.tensor(2.0)}
    back = _roundtrip(obj)
    assert str(back) == str(obj)
    assert isinstance(back["a"], gradviz.nn.Parameter) and back["s"].shape == ()


def test_a_whole_module_needs_weights_only_false():
    model = gradviz.nn.Linear(2, 2)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _roundtrip(model)
    back = _roundtrip(model, weights_only=False)
    assert repr(back) == repr(model) and back.weight.equal(model.weight)


def test_no_gpu_as_a_cpu_only_torch_says():
    for T in (gradviz, torch):
        assert (T.cuda.is_available(), T.cuda.device_count()) == (False, 0)
        assert not T.backends.mps.is_available()
        assert not T.backends.cudnn.is_available()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        gradviz.cuda.synchronize()
