"""A small convolutional network on random images: Conv2d, MaxPool2d, F.relu, flatten,
one pass of training with SGD and momentum (in the manner of PyTorch's "Training a
Classifier" tutorial, without downloading CIFAR-10)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
print(device)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
net.to(device)
print(net)
params = list(net.parameters())
print(len(params), params[0].size())
images = torch.randn(8, 3, 32, 32)
labels = torch.randint(0, 10, (8,))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
for epoch in range(2):
    running_loss = 0.0
    for i in range(2):
        inputs, targets = images[i * 4:(i + 1) * 4], labels[i * 4:(i + 1) * 4]
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"[{epoch + 1}] loss: {running_loss / 2:.3f}")
print(outputs.grad_fn.name(), net.conv1.weight.grad.shape)
_, predicted = torch.max(outputs, 1)
print("Predicted: ", " ".join(f"{predicted[j].item()}" for j in range(4)))
