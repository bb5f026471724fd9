"""PyTorch's tutorial "Automatic Differentiation with torch.autograd", cell by cell, on gradviz.

gradviz opens with this script already run, so the tutorial's graph is on screen (its
``loss.backward()`` has freed loss's graph: build a new output, ``q = (w * 2).sum()``, and
press Backward, or replay the last backward with the stepper, F6). Run it on its own
with ``python resources/examples/tutorial.py``, or draw its graph with
``gradviz render resources/examples/tutorial.py -o graph.png``.
"""

import gradviz as torch

print("Automatic Differentiation with torch.autograd()")

# In [6]: a one-layer network with input x, parameters w and b, and a loss
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(x, "\n", y, "\n", w, "\n", b)
print(z)
print(loss)

# In [7]: tensors, functions and the computational graph
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")

# In [8]: computing gradients (the graph's saved tensors are freed afterwards)
loss.backward()
print(w.grad)
print(b.grad)
print(loss)

# In [9]: disabling gradient tracking
z = torch.matmul(x, w) + b
print(z)

with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z)

# In [10]: detach()
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det)
print(z_det.requires_grad)

# In [12]: tensor gradients and Jacobian products
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()

print(inp, "\n", out)

out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")

out.backward(torch.ones_like(out), retain_graph=True)
print(f"Second call\n{inp.grad}")

inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")
