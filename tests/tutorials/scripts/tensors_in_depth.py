"""Tensors in depth (modelled on the "Introduction to PyTorch Tensors" video tutorial):
factories and seeds, dtypes, broadcasting, math and logic, linear algebra, in-place ops,
``out=``, copies, devices, shapes and the NumPy bridge."""

import math

import numpy as np
import torch

torch.manual_seed(1729)
print(torch.zeros(2, 3), torch.ones(2, 3), torch.rand(2, 3), sep="\n")
x = torch.empty(2, 2, 3)
print(x.shape, torch.zeros_like(x).shape, torch.rand_like(x))
print(torch.tensor(((2, 4, 6), [3, 6, 9])), torch.ones((2, 3), dtype=torch.int16))
b = torch.rand((2, 3), dtype=torch.float64) * 20.0
print(b, b.to(torch.int32))

twos = torch.ones(2, 2) * 2
print(twos ** torch.tensor([[1, 2], [3, 4]]), (torch.ones(2, 2) * 7 - 1) / 2, twos ** 0.5)
a = torch.ones(4, 3, 2)
print(a * torch.rand(3, 2), a * torch.rand(3, 1), a * torch.rand(1, 2))

a = torch.rand(2, 4) * 2 - 1
print(torch.abs(a), torch.ceil(a), torch.floor(a), torch.clamp(a, -0.5, 0.5))
angles = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
print(torch.asin(torch.sin(angles)))
print(torch.bitwise_xor(torch.tensor([1, 5, 11]), torch.tensor([2, 7, 10])))
d = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(torch.eq(d, torch.ones(1, 2)))
print(torch.max(d), torch.max(d).item(), torch.mean(d), torch.std(d), torch.prod(d))
print(torch.unique(torch.tensor([1, 2, 1, 2, 1, 2])))
v1, v2 = torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
print(torch.linalg.cross(v2, v1), torch.cross(v1, v2, dim=0))
m3 = torch.matmul(torch.rand(2, 2), torch.tensor([[3.0, 0.0], [0.0, 3.0]]))
print(torch.svd(m3).S, torch.linalg.svdvals(m3), torch.linalg.det(m3))

a = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
print(torch.sin_(a), a, a.cos_(), torch.exp_(a))
a, b = torch.ones(2, 2), torch.rand(2, 2)
print(a.add_(b), b.mul_(b), a, b)
a, b, c = torch.rand(2, 2), torch.rand(2, 2), torch.zeros(2, 2)
d = torch.matmul(a, b, out=c)
print(c, d is c)
torch.rand(2, 2, out=c)
print(c)
torch.add(a, b, out=c)
torch.mul(c, 2, out=c)
print(c)

a = torch.ones(2, 2)
b = a.clone()
a[0][1] = 561
print(a, b, torch.eq(a, b))
a = torch.rand(2, 2, requires_grad=True)
print(a.clone(), a.detach().clone())

device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
print(f"Device: {device}", torch.backends.mps.is_available())
y = torch.rand(2, 2, device=device).to(device)
print(y.device, torch.get_default_device())

batch_me = torch.rand(3, 226, 226)
batch_me.unsqueeze_(0)
print(batch_me.shape, torch.rand(1, 20).squeeze(0).shape, torch.rand(2, 2).squeeze(0).shape)
print(torch.rand(3).unsqueeze(1).shape, torch.rand(6, 20, 20).reshape(6 * 20 * 20).shape)
for row in torch.arange(6.0).view(3, 2):
    print(row, row.sum())

numpy_array = np.ones((2, 3))
pytorch_tensor = torch.from_numpy(numpy_array)
numpy_array[1, 1] = 23
print(pytorch_tensor)
pytorch_rand = torch.rand(2, 3)
numpy_rand = pytorch_rand.numpy()
pytorch_rand[1, 1] = 17
print(numpy_rand)
