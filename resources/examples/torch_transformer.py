"""A 2-layer transformer encoder on real PyTorch (``nn.TransformerEncoder``), one
forward and backward on random tokens (nothing downloaded).

Draw its graph with ``gradviz render --engine torch
resources/examples/torch_transformer.py -o transformer.png``, or open it live with
``gradviz --engine torch resources/examples/torch_transformer.py``.
"""

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812


class Encoder(nn.Module):
    """Token embedding, two encoder layers, and a classifier on the mean of the sequence."""

    def __init__(self, vocabulary=50, width=32, heads=4, layers=2, classes=5):
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=64, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(width, classes)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(dim=1))


torch.manual_seed(0)
model = Encoder()
tokens = torch.randint(0, 50, (2, 8))
labels = torch.randint(0, 5, (2,))
logits = model(tokens)
loss = F.cross_entropy(logits, labels)
loss.backward()
if __name__ == "__main__":
    print(f"loss {loss.item():.4f}; embedding grad norm {model.embed.weight.grad.norm():.4f}")
