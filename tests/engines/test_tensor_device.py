"""Where a tensor's values live, recorded by either engine and shown by the inspector:
the CPU (said nowhere, it is the usual place) or another device (``float32 on meta``)."""

from __future__ import annotations

import pytest

import gradviz
from gradviz.model import GraphModel


def _leaves(engine: str, module):
    model = GraphModel(engine=engine)
    with model.recording():
        on_cpu = module.ones(3, requires_grad=True)
        on_meta = module.ones(3, device="meta", requires_grad=True)
        keep = (on_cpu * 2, on_meta * 2)  # noqa: F841  (recorded ops make the leaves nodes)
    return model, model.node_of(on_cpu), model.node_of(on_meta)


def test_the_numpy_engine_records_each_leafs_device():
    model, cpu, meta = _leaves("numpy", gradviz)
    assert model.graph.nodes[cpu]["device"] == "cpu"
    assert model.graph.nodes[meta]["device"] == "meta"
    model.detach()


def test_the_torch_engine_records_each_leafs_device():
    torch = pytest.importorskip("torch")
    model, cpu, meta = _leaves("torch", torch)
    assert model.graph.nodes[cpu]["device"] == "cpu"
    assert model.graph.nodes[meta]["device"] == "meta"
    assert model.engine.describe_tensor(torch.ones(1, device="meta")).device == "meta"
    model.detach()


def test_the_inspector_says_a_device_other_than_the_cpu(qtbot):
    from gradviz.gui.inspector import InspectorPanel

    model, cpu, meta = _leaves("numpy", gradviz)
    panel = InspectorPanel(model)
    qtbot.addWidget(panel)
    panel.show_node(meta)
    assert panel.tensor_view.fields["dtype"].text() == "float32 on meta"
    panel.show_node(cpu)
    assert panel.tensor_view.fields["dtype"].text() == "float32"
    model.detach()
