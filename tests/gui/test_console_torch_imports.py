"""``import torch.nn as nn`` typed into the app's console gives gradviz's nn."""

import gradviz
from tests.gui.conftest import node_named, type_in


def test_typed_torch_imports_build_a_graph(blank):
    type_in(blank, "import torch", "import torch.nn as nn", "import torch.nn.functional as F",
            "lin = nn.Linear(3, 2)", "loss = F.mse_loss(lin(torch.ones(4, 3)), torch.zeros(4, 2))",
            "loss.backward()")
    ns = blank.session.namespace
    assert ns["nn"] is gradviz.nn and ns["F"] is gradviz.nn.functional
    assert blank.session.model.graph.nodes[node_named(blank.session.model, "loss")]["kind"] \
        == "tensor"
    assert ns["lin"].weight.grad is not None
