"""Statement families on autograd: in-place ops and views, hooks, grad modes, backward and
``autograd.grad`` (with ``create_graph``), nn modules, losses and optimizer steps, and
printing. Same contract as ``statements_tensor``: each family emits through the
``Builder`` and returns ``False`` when the pool has nothing it applies to."""

from __future__ import annotations

from .statements_tensor import assign, kind

INPLACE = (".add_({y})", ".sub_({n})", ".mul_({y})", ".div_(2)", ".zero_()", ".fill_({n})",
           ".clamp_(min=0)", ".exp_()", ".sigmoid_()", ".relu_()", ".neg_()", ".abs_()",
           ".pow_(2)", ".copy_({y})", ".tanh_()", ".requires_grad_()", ".detach_()")
HOOKS = ("lambda g: g * 2", "lambda g: None", "lambda g: print(g)", "lambda g: g.clamp(-1, 1)",
         "lambda g: print(g.shape, g.dtype)")


def inplace(b):
    x = b.tensor(lambda t: not t.is_leaf) if b.chance(0.8) else b.tensor()
    if x is None:
        return False
    t = b.ns[x]
    same = b.tensors(lambda o: tuple(o.shape) == tuple(t.shape))
    y = b.pick(same + [b.number()])
    if b.chance(0.3):
        idx = b.pick(["0", "...", f"{x} > 0", ":, 0" if t.dim() >= 2 else "None"]) \
            if t.dim() >= 1 else b.pick(["...", "None"])
        value = b.pick([b.number(), b.tensor() or "0.0"])
        return b.emit(f"{x}[{idx}] = {value}", "T[...] = v")
    form = b.pick(INPLACE)
    if form == ".copy_({y})" and y not in same:
        form = ".fill_({y})"
    n = b.number()
    b.emit(f"{x}{form.format(y=y, n=n)}", form.split("(")[0])


def grads(b):
    leaves = b.tensors(lambda t: t.is_leaf and t.grad is not None)
    if not leaves:
        return False
    x = b.pick(leaves)
    form = b.pick(["with torch.no_grad():\n    {x}.sub_(0.1 * {x}.grad)", "{x}.grad = None",
                   "{x}.grad.zero_()", "{v} = {x}.grad * 2", "{v} = {x}.grad.clone()"])
    b.emit(form.format(x=x, v=b.new_name()), form.format(x="T", v="v").split("\n")[-1].strip())


def hook(b):
    x = b.tensor(lambda t: t.requires_grad)
    if x is None:
        return False
    handles = [n for n, v in b.ns.items() if n.startswith("h") and hasattr(v, "remove")]
    r = b.rng.random()
    if r < 0.15 and handles:
        return b.emit(f"{b.pick(handles)}.remove()", "handle.remove()")
    if r < 0.35 and not b.ns[x].is_leaf:
        return b.emit(f"{x}.retain_grad()", ".retain_grad()")
    base = b.ns[x]._base
    if base is not None and (base.is_leaf or b.ns[x]._version):
        # torch 2.13 segfaults in register_hook on a view of a leaf once the leaf was
        # changed in place under no_grad (an optimizer step), and on a view of a base
        # changed in place (seed 1000704); the oracle must survive
        return False
    fn = b.pick(HOOKS)
    b.hooked.add(x)
    b.emit(f"h{b.new_name()[1:]} = {x}.register_hook({fn})", f"register_hook({fn})")


def gradmode(b):
    x = b.tensor()
    if x is None:
        return False
    v = b.new_name()
    expr = b.pick([f"{x} * 2", f"{x}.exp()", f"{x} + {x}", f"{x}.sum()"])
    forms = [("with torch.no_grad():\n    {v} = {e}", "no_grad"),
             ("with torch.no_grad():\n    with torch.enable_grad():\n        {v} = {e}",
              "enable_grad"),
             ("with torch.set_grad_enabled(False):\n    {v} = {e}", "set_grad_enabled"),
             ("with torch.inference_mode():\n    {v} = {e}", "inference_mode"),
             ("{v} = {x}.detach()", ".detach()"),
             ("{v} = {x}.detach().requires_grad_()", ".requires_grad_()"),
             ("def f{v}(t):\n    return t * 3\n{v} = torch.no_grad()(f{v})({x})",
              "no_grad decorator"),
             ("torch.set_grad_enabled(False)", "set_grad_enabled(False)"),
             ("torch.set_grad_enabled(True)", "set_grad_enabled(True)"),
             ("print(torch.is_grad_enabled())", "is_grad_enabled")]
    form, op = b.pick(forms)
    b.emit(form.format(v=v, e=expr, x=x), op)


def backward(b):
    y = b.tensor(lambda t: t.requires_grad and t.dtype.is_floating_point)
    if y is None:
        return False
    t = b.ns[y]
    retain = b.chance(0.5)
    root = y if t.numel() == 1 and b.chance(0.7) else f"{y}.sum()"
    r = b.rng.random()
    if r < 0.45:
        rg = ", retain_graph=True" if retain else ""
        return b.emit(f"{root}.backward({rg.lstrip(', ')})", "backward")
    if r < 0.55:
        return b.emit(f"{y}.backward(torch.ones_like({y}){', retain_graph=True' * retain})",
                      "backward(gradient)")
    leaves = b.tensors(lambda s: s.is_leaf and s.requires_grad)
    if not leaves:
        return False
    inputs = b.rng.sample(leaves, min(len(leaves), b.pick([1, 1, 2])))
    create = b.chance(0.5)
    outs = ", ".join(b.new_name() for _ in inputs)
    b.emit(f"{outs}, = torch.autograd.grad({root}, [{', '.join(inputs)}], "
           f"create_graph={create}, retain_graph={retain or create}, allow_unused=True)",
           "autograd.grad(create_graph)" if create else "autograd.grad")


def module(b):
    x = b.tensor(lambda t: t.dim() >= 1 and str(t.dtype).endswith("float32"))
    nets = [n for n, v in b.ns.items() if isinstance(v, b.torch.nn.Module)]
    if nets and b.chance(0.6):
        net = b.pick(nets)
        k = b.nets[net]
        fits = b.tensors(lambda t: t.dim() >= 1 and t.shape[-1] == k)
        if not fits:
            return False
        return assign(b, f"{net}({b.pick(fits)})", "module(T)")
    if x is None:
        return False
    k = b.ns[x].shape[-1]
    j = b.pick([1, 2, 3])
    act = b.pick(["ReLU", "Tanh", "Sigmoid"])
    net = f"net{b.new_name()[1:]}"
    spec = b.pick([f"nn.Linear({k}, {j})", f"nn.Linear({k}, {j}, bias=False)",
                   f"nn.Sequential(nn.Linear({k}, 4), nn.{act}(), nn.Linear(4, {j}))"])
    b.nets[net] = k
    b.emit(f"{net} = {spec}", "module")


def loss(b):
    x = b.tensor(lambda t: kind(t) == "f" and t.dim() >= 1)
    if x is None:
        return False
    t = b.ns[x]
    same = b.tensors(lambda o: kind(o) == "f" and tuple(o.shape) == tuple(t.shape))
    dtype = ""
    target = b.pick(same + [f"torch.tensor({b.literal(tuple(t.shape))}{dtype})"])
    if b.chance(0.15):
        target = b.pick(b.tensors(lambda o: kind(o) == "f"))
    red = b.pick(["", "", ", reduction='sum'", ", reduction='none'"])
    forms = [f"F.mse_loss({x}, {target}{red})", f"F.l1_loss({x}, {target}{red})",
             f"nn.MSELoss()({x}, {target})",
             f"F.binary_cross_entropy({x}.sigmoid(), {target}.detach().sigmoid(){red})",
             f"F.binary_cross_entropy_with_logits({x}, {target}.detach().sigmoid())"]
    if t.dim() == 2:
        classes = b.literal((t.shape[0],), "int").replace("-2", "0").replace("-1", "1")
        classes = classes.replace("3", "0").replace("2", str(t.shape[1] - 1))
        forms += [f"F.cross_entropy({x}, torch.tensor({classes}){red})",
                  f"F.nll_loss(F.log_softmax({x}, dim=1), torch.tensor({classes}))",
                  f"nn.CrossEntropyLoss()({x}, torch.tensor({classes}))"]
    form = b.pick(forms)
    assign(b, form, form.split("(")[0] + "(...)")


def optim(b):
    opts = [n for n, v in b.ns.items() if isinstance(v, b.torch.optim.Optimizer)]
    if opts and b.chance(0.7):
        opt = b.pick(opts)
        nets = [n for n, v in b.ns.items() if isinstance(v, b.torch.nn.Module)]
        y = b.tensor(lambda t: t.requires_grad and t.dtype.is_floating_point)
        form = b.pick([f"{opt}.zero_grad()", f"{opt}.step()"] + (
            [f"{opt}.zero_grad()\n{y}.sum().backward(retain_graph=True)\n{opt}.step()"]
            if y else []))
        if nets and b.chance(0.3):
            net = b.pick(nets)
            x = b.tensor(lambda t: t.dim() >= 1 and t.shape[-1] == b.nets[net])
            if x:
                form = f"{opt}.zero_grad()\n{net}({x}).pow(2).sum().backward()\n{opt}.step()"
        return b.emit(form, "optimizer " + form.split(".")[-1].split("(")[0])
    nets = [n for n, v in b.ns.items() if isinstance(v, b.torch.nn.Module)]
    leaves = b.tensors(lambda t: t.is_leaf and t.requires_grad)
    cls = b.pick(["SGD", "SGD", "Adam", "AdamW"])
    extra = {"SGD": b.pick(["", ", momentum=0.9", ", momentum=0.9, nesterov=True",
                            ", weight_decay=0.01"]),
             "Adam": b.pick(["", ", betas=(0.8, 0.9)", ", weight_decay=0.1"]),
             "AdamW": ""}[cls]
    if "momentum" in extra and b.avoid("optim_duplicates"):
        leaves = list({id(b.ns[n]): n for n in reversed(leaves)}.values())[::-1]
    params = [f"{n}.parameters()" for n in nets] + ([f"[{', '.join(leaves)}]"] if leaves else [])
    if not params:
        return False
    lr = b.pick([0.1, 0.01, 1])
    b.emit(f"opt{b.new_name()[1:]} = torch.optim.{cls}({b.pick(params)}, lr={lr}{extra})",
           f"optim.{cls}")


def printing(b):
    x = b.tensor()
    if x is None:
        return False
    t = b.ns[x]
    forms = ["print({x})", "print({x}.grad)", "print({x}.shape, {x}.dtype, {x}.size(-1))",
             "print({x}.requires_grad, {x}.is_leaf, {x}.grad_fn is None)",
             "print(type({x}.grad_fn).__name__)", "print({x}.tolist())",
             "print({x} * 1000)", "print({x} / 1000)", "print({x}.numel(), {x}.dim(), len({x}))",
             "print({x}.sum().item())", "print(f'{{{x}.float().mean().item():.4f}}')",
             "print(repr({x}.detach()))", "print({x}[None].T)", "print({x}.data)"]
    if t.grad_fn is not None:
        forms.append("print([f[0].name() if f[0] else None for f in "
                     "{x}.grad_fn.next_functions])")
    form = b.pick(forms)
    b.emit(form.format(x=x), form.format(x="T"))
