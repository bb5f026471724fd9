"""Build a network as an nn.Module, then train it with a loss and an optimizer on random
data (in the manner of PyTorch's "Build the Neural Network" and "Optimization" tutorials)."""
import torch
from torch import nn

torch.manual_seed(0)
device = torch.accelerator.current_accelerator().type if hasattr(torch, "accelerator") and \
    torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 4),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
X = torch.rand(1, 8, 8, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")

inputs = torch.rand(64, 8, 8)
targets = torch.randint(0, 4, (64,))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for epoch in range(5):
    for batch in range(4):
        xb, yb = inputs[batch * 16:(batch + 1) * 16], targets[batch * 16:(batch + 1) * 16]
        pred = model(xb)
        loss = loss_fn(pred, yb)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    print(f"epoch {epoch}: loss: {loss.item():>7f}")
model.eval()
with torch.no_grad():
    pred = model(inputs)
    correct = (pred.argmax(1) == targets).type(torch.float).sum().item()
print(f"Accuracy: {(100 * correct / len(targets)):>0.1f}%")
