"""A residual MLP of 12 blocks, one forward and one backward: modules drawn as groups.

Each block is a Module holding ``Sequential(Linear, ReLU, Linear)`` and adds its input back
(the skip connection). gradviz opens the graph collapsed to the depth that reads at Fit
(the blocks); double-click a block (or tick it in the Modules panel, or type
``app.expand("net.3")``) to open it, double-click its box to close it again. Parameters
are named from the modules (``net.3.body.0.weight``). Run it with
``python -m gradviz resources/examples/residual_mlp.py``.
"""

import gradviz as torch
from gradviz import nn


class Block(nn.Module):
    """``x + body(x)`` with ``body = Sequential(Linear, ReLU, Linear)``."""

    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.body(x)


torch.manual_seed(0)
net = nn.Sequential(*[Block(16) for _ in range(12)])
X = torch.randn(8, 16)
Y = torch.randn(8, 16)
loss = nn.functional.mse_loss(net(X), Y)
loss.backward()
print(f"loss {loss.item():.4f}; {sum(p.numel() for p in net.parameters())} parameters")
