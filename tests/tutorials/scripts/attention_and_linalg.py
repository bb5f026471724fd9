"""Attention and linear algebra as tutorials on transformers and least squares write them:
einsum attention by hand against ``scaled_dot_product_attention`` and
``nn.MultiheadAttention`` with a causal mask, a tiny attention model trained with Adam,
then ``torch.linalg`` (solve, inv, det, norm, svd) with gradients through them, and
median / kthvalue."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
q, k, v = torch.randn(1, 4, 3, 8), torch.randn(1, 4, 3, 8), torch.randn(1, 4, 3, 8)
scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / 8 ** 0.5
by_hand = torch.einsum("bhqk,bhkd->bhqd", scores.softmax(-1), v)
fused = F.scaled_dot_product_attention(q, k, v)
print(by_hand.shape, torch.allclose(by_hand, fused, atol=1e-6))
print(F.scaled_dot_product_attention(q, k, v, is_causal=True)[0, 0])

mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
print(mha)
x = torch.randn(3, 5, 8)
mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
out, weights = mha(x, x, x, attn_mask=mask)
print(out.shape, weights.shape, out.grad_fn.name())
print(weights[0])


class TinyAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(4, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        h = self.embed(x)
        h, _ = self.attn(h, h, h, need_weights=False)
        return self.head(h.mean(1)).squeeze(-1)


model = TinyAttention()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
data, target = torch.randn(16, 6, 4), torch.randn(16)
for step in range(30):
    loss = F.mse_loss(model(data), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 9:
        print(step, loss.item())

A = torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], requires_grad=True)
b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x = torch.linalg.solve(A, b)
print(x, torch.linalg.inv(A) @ b, torch.linalg.det(A), torch.det(A))
print(torch.linalg.norm(A), torch.linalg.norm(b, ord=1), torch.linalg.matrix_norm(A, ord=2))
(x.sum() + torch.linalg.det(A)).backward()
print(A.grad, b.grad)
S = torch.linalg.svdvals(A)
print(S, torch.linalg.svd(A).S)
print(torch.tensordot(A, A, dims=1), torch.einsum("ii->", A), torch.trace(A))
X = torch.randn(20, 3)
w_true = torch.tensor([[1.0], [-2.0], [0.5]])
y = X @ w_true + 0.01 * torch.randn(20, 1)
w = torch.linalg.solve(X.T @ X, X.T @ y)
print(w.squeeze(), torch.linalg.norm(X @ w - y))
values = torch.tensor([[3.0, 1.0, 4.0, 1.5], [5.0, 9.0, 2.0, 6.0]], requires_grad=True)
print(values.median(), values.median(dim=1), torch.kthvalue(values, 2, dim=1))
values.median(dim=1).values.sum().backward()
print(values.grad)
