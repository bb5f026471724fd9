"""A small CNN trained for 1,000 steps under the torch engine: the graph and the memory stay flat
(the model holds torch's tensors and grad_fns weakly), and training gives exactly the
weights it gives unwatched."""

from __future__ import annotations

import gc
import sys

import pytest

torch = pytest.importorskip("torch")

from gradviz.engines import get_engine  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402

STEPS = 1000


def small_cnn():
    """Conv, batch norm, ReLU, pooling and a linear head."""
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 2))


def train(model: GraphModel | None, steps: int, sizes: list | None = None):
    net = small_cnn()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    images, labels = torch.randn(2, 3, 8, 8), torch.tensor([0, 1])
    for step in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(images), labels)
        loss.backward()
        opt.step()
        if model is not None:
            model.flush()  # as the app does after each statement
            if step in (299, steps - 1):  # grad timelines are full (200 entries) by then
                model.runs.clear()  # the per-run history grows by design (capped)
                gc.collect()
                names = {d["name"] for _, d in model.graph.nodes(data=True)
                         if d["kind"] == "function"}
                sizes.append((len(model.graph), len(get_engine("torch")._ids._tensors),
                              sys.getallocatedblocks(), names))
    return net


@pytest.fixture
def one_thread():
    """One intra-op thread: torch's pool spinning on 2 busy cores costs 40x on tiny convs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_memory_stays_flat_over_a_thousand_cnn_training_steps(one_thread):
    model = GraphModel(engine="torch", release_policy="remove")
    model.set_names({})
    sizes: list = []
    with model.recording():
        watched = train(model, STEPS, sizes)
    (nodes_300, tensors_300, blocks_300, names), (nodes_end, tensors_end, blocks_end, _) = sizes
    assert {"ConvolutionBackward0", "NativeBatchNormBackward0", "MaxPool2DWithIndicesBackward0",
            "AddmmBackward0"} <= names
    assert nodes_end == nodes_300 and tensors_end <= tensors_300
    # Python's allocated blocks (what tracemalloc would count, without its 2x slowdown):
    # a step's graph kept is ~300 of them (measured), so 700 steps kept would be ~200,000
    assert blocks_end < blocks_300 + 5_000, sizes
    plain = train(None, STEPS)
    for (name, a), b in zip(watched.state_dict().items(), plain.state_dict().values()):
        assert torch.equal(a, b), name  # watching changed nothing torch computed
