"""Tensors: creating them, their attributes, operations, indexing, joining and the bridge
to NumPy (in the manner of PyTorch's "Tensors" beginner tutorial)."""
import numpy as np
import torch

torch.manual_seed(0)
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print(x_data)
x_np = torch.from_numpy(np.array(data))
print(x_np)
x_ones = torch.ones_like(x_data)
print(f"Ones Tensor:\n{x_ones}\n")
x_rand = torch.rand_like(x_data, dtype=torch.float)
print(f"Random Tensor:\n{x_rand}\n")

shape = (2, 3)
print(torch.rand(shape), torch.ones(shape), torch.zeros(shape), sep="\n")

tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

device = "cuda" if torch.cuda.is_available() else "cpu"
if torch.backends.mps.is_available():
    device = "mps"
tensor = tensor.to(device)
print(device, tensor.device)

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print(y1, y2, z1, z2, sep="\n")
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
print(f"{tensor} \n")
tensor.add_(5)
print(tensor)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")

for row in torch.arange(6).reshape(3, 2):
    print(row, row.sum())
x = torch.arange(4.0)
x.unsqueeze_(0)
print(x, x.shape)
x.sin_()
print(x)
print(x.new_ones(2), x.new_zeros(1, 3), x.new_full((2,), 7.0), x.new_tensor([1, 2]))
print(torch.FloatTensor([1, 2]), torch.LongTensor([3, 4]).type_as(x))
