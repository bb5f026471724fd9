"""Datasets and DataLoaders with an optimizer and a learning-rate scheduler: a custom
Dataset, TensorDataset, shuffled batches, Adam and StepLR (in the manner of PyTorch's
"Datasets & DataLoaders" and "Optimization" tutorials)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split

torch.manual_seed(0)


class NoisyLine(Dataset):
    def __init__(self, n):
        self.x = torch.linspace(-1, 1, n).unsqueeze(1)
        self.y = 3 * self.x + 0.5 + 0.1 * torch.randn(n, 1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


dataset = NoisyLine(40)
train_set, test_set = random_split(dataset, [30, 10])
print(len(train_set), len(test_set))
train_loader = DataLoader(train_set, batch_size=8, shuffle=True)
test_loader = DataLoader(test_set, batch_size=5)
xb, yb = next(iter(train_loader))
print(f"Feature batch shape: {xb.size()}")
print(f"Labels batch shape: {yb.size()}")

model = nn.Linear(1, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
loss_fn = nn.MSELoss()
for epoch in range(10):
    for xb, yb in train_loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()
    if epoch % 3 == 0:
        print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.4f} loss {loss.item():.4f}")
with torch.no_grad():
    test_loss = sum(loss_fn(model(x), y).item() for x, y in test_loader) / len(test_loader)
print(f"test loss {test_loss:.4f}", model.weight.item() > 2.5)

pairs = TensorDataset(torch.arange(10.0).view(5, 2), torch.arange(5))
for features, label in DataLoader(pairs, batch_size=2, shuffle=True):
    print(features.tolist(), label.tolist())
