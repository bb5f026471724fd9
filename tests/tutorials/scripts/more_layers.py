"""A text-classification-style model and a few autograd tools: Embedding, LayerNorm,
BatchNorm1d, GELU and Dropout in eval, a cosine-annealed AdamW run with gradient clipping,
then jacobian/hessian of a small function (in the manner of PyTorch's "Text classification"
and "autograd.functional" recipes, on random tokens)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
vocab, classes = 20, 3
tokens = torch.randint(0, vocab, (32, 6))
labels = torch.randint(0, classes, (32,))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 8, padding_idx=0)
        # no bias before the batch norm: it would remove a constant shift, and Adam would
        # then amplify the rounding noise of a gradient that is zero in exact arithmetic
        self.norm = nn.LayerNorm(8, bias=False)
        self.head = nn.Sequential(nn.Linear(8, 16, bias=False), nn.BatchNorm1d(16), nn.GELU(),
                                  nn.Dropout(0.1), nn.Linear(16, classes))

    def forward(self, x):
        h = self.norm(self.embedding(x)).mean(dim=1)
        return self.head(h)


model = Classifier()
print(model)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
for epoch in range(6):
    model.train()
    logits = model(tokens)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    scheduler.step()
    print(f"epoch {epoch} loss {loss.item():.4f} grad norm {norm.item():.4f} "
          f"lr {scheduler.get_last_lr()[0]:.5f}")
model.eval()
with torch.no_grad():
    probs = F.softmax(model(tokens[:4]), dim=1)
print(probs.argmax(1), probs.shape)
print(model.head[1].running_mean[:4], model.head[1].num_batches_tracked)
print(F.one_hot(labels[:5], classes))
top = probs.topk(2, dim=1)
print(top.values.shape, top.indices)


def f(x):
    return (x ** 3).sum() + x.prod()


x = torch.tensor([1.0, 2.0, 3.0])
print(torch.autograd.functional.jacobian(lambda t: t ** 2 * t.sum(), x))
print(torch.autograd.functional.hessian(lambda t: (t ** 3).sum() + t.sin().sum() * t[0], x))
print(torch.tril(torch.ones(3, 3)), torch.arange(6).reshape(2, 3).T.flip(0))
