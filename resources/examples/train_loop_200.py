"""A small MLP trained for 200 steps, one step a statement as you would type it.

A loop rebuilds the graph every iteration, as torch does: the window shows the current
iteration's graph (earlier ones leave the picture once ``loss`` is reassigned), and the
History dock plots each step's loss and each parameter's grad norm. Run it with
``gradviz resources/examples/train_loop_200.py``, or on its own with ``python``.
"""

import gradviz as torch
import gradviz.nn as nn
import gradviz.nn.functional as F

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
X = torch.randn(64, 4)
Y = (X[:, :1] * 2 - X[:, 1:2]).tanh()  # something the net can learn
opt = torch.optim.SGD(net.parameters(), lr=0.1)

for _step in range(200):
    opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); opt.step()  # noqa: E702

print(f"loss after 200 steps: {loss.item():.4f}")
