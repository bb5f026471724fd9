"""A small ResNet-style CNN on real PyTorch: conv, batch norm, ReLU, pooling and skip
connections, one forward and backward on random data (nothing downloaded).

Draw its graph with ``gradviz render --engine torch resources/examples/torch_resnet.py
-o resnet.png``, or open it live with ``gradviz --engine torch
resources/examples/torch_resnet.py``.
"""

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812


class Block(nn.Module):
    """Two 3x3 convolutions with batch norm, added to the input (a residual block)."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class ResNet(nn.Module):
    """Stem, two residual blocks, global average pooling and a linear classifier."""

    def __init__(self, channels=8, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.pool = nn.MaxPool2d(2)
        self.block1 = Block(channels)
        self.block2 = Block(channels)
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.stem(x))))
        x = self.block2(self.block1(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


torch.manual_seed(0)
model = ResNet()
images = torch.randn(4, 3, 16, 16)
labels = torch.randint(0, 10, (4,))
logits = model(images)
loss = F.cross_entropy(logits, labels)
loss.backward()
if __name__ == "__main__":
    print(f"loss {loss.item():.4f}; stem grad norm {model.stem.weight.grad.norm():.4f}")
