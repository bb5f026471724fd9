"""Saving and loading a model: the state_dict, an optimizer's state, a checkpoint dict,
and eval mode (in the manner of PyTorch's "Save and Load the Model" tutorial)."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        return self.fc1(x.view(-1, 4 * 3 * 3))


model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
x = torch.randn(2, 1, 8, 8)
model(x).sum().backward()
optimizer.step()
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

folder = tempfile.mkdtemp()
path = os.path.join(folder, "model_weights.pth")
torch.save(model.state_dict(), path)
model2 = TheModelClass()
print(model2.load_state_dict(torch.load(path, weights_only=True)))
model2.eval()
print(torch.equal(model(x), model2(x)))

checkpoint = os.path.join(folder, "checkpoint.tar")
torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": 0.25}, checkpoint)
ckpt = torch.load(checkpoint)
optimizer2 = optim.SGD(model2.parameters(), lr=0.001, momentum=0.9)
model2.load_state_dict(ckpt["model_state_dict"])
optimizer2.load_state_dict(ckpt["optimizer_state_dict"])
print(ckpt["epoch"], ckpt["loss"], sorted(ckpt))
torch.save(torch.arange(4), os.path.join(folder, "t.pt"))
print(torch.load(os.path.join(folder, "t.pt")))
