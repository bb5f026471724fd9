"""A named ``detach()`` result is laid out below the tensor it came from (the view draws
the link dashed); the model's graph itself gets no edge for it."""

from __future__ import annotations

import gradviz
from gradviz.model import GraphModel


def test_a_detached_tensor_sits_below_its_source_without_an_edge_in_the_graph():
    model = GraphModel()
    with model.recording():
        w = gradviz.ones(3, requires_grad=True)
        z = (w * 2) + 1
        other = gradviz.ones(2, requires_grad=True) * 3  # an unrelated leaf beside it
        z_det = z.detach()
    model.set_names({"w": w, "z": z, "z_det": z_det, "other": other})
    model.flush()
    zid, did = model.node_of(z), model.node_of(z_det)
    assert model.graph.nodes[did]["detached_from"] == zid
    assert not model.graph.has_edge(zid, did) and model.graph.degree(did) == 0
    pos = model.positions()
    assert pos[did][1] > pos[zid][1]  # the layout's y grows downward
    assert abs(pos[did][0] - pos[zid][0]) < 1.0
