"""Extending autograd, as the custom-Function and hooks tutorials do: a Function with two
outputs, a once-differentiable backward, gradcheck and gradgradcheck of a custom Function,
an optimizer step run from ``register_post_accumulate_grad_hook``, Jacobians and
vector-Jacobian products, and the profiler's view of a loop (its op names and counts)."""

import torch


class SinCos(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, grad_sin, grad_cos):
        (x,) = ctx.saved_tensors
        return grad_sin * x.cos() - grad_cos * x.sin()


x = torch.linspace(0.0, 3.0, 5, requires_grad=True)
s, c = SinCos.apply(x)
print(s, c)
(s * c).sum().backward()
print(x.grad, torch.cos(2 * x))


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = torch.exp(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        (result,) = ctx.saved_tensors
        return grad_out * result


x = torch.tensor([0.5, -0.3], dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(Exp.apply, x), torch.autograd.gradgradcheck(Exp.apply, x))


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2


x = torch.tensor([1.0, 2.0], requires_grad=True)
(g,) = torch.autograd.grad(Cube.apply(x).sum(), x)
print(g)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
optimizers = {p: torch.optim.SGD([p], lr=0.1) for p in model.parameters()}


def step_now(p):
    optimizers[p].step()
    optimizers[p].zero_grad()


for p in model.parameters():
    p.register_post_accumulate_grad_hook(step_now)
data = torch.randn(8, 3)
for epoch in range(3):
    loss = model(data).pow(2).mean()
    loss.backward()
    print(epoch, loss.item(), [p.grad for p in model.parameters()][0])


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


inputs = (torch.rand(2), torch.rand(2))
print(torch.autograd.functional.jacobian(exp_adder, inputs))
print(torch.autograd.functional.vjp(exp_adder, inputs, torch.ones(2)))

x = torch.randn(2, 3, requires_grad=True)
y, z = torch.rand(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
with torch.autograd.profiler.profile() as prf:
    for _ in range(100):
        z = (z / x) * y
    with torch.autograd.profiler.record_function("total"):
        total = z.sum()
rows = {e.key: e.count for e in prf.key_averages()}
print([(name, rows[name]) for name in ("aten::div", "aten::mul", "aten::sum", "total")])
table = prf.key_averages().table(sort_by="self_cpu_time_total", row_limit=2)
print(table.splitlines()[1].split())
