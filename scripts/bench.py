"""Every performance figure of gradviz, printed beside its reference.

    python scripts/bench.py            # all sections
    python scripts/bench.py core       # only the autograd core

Figures are single-threaded best-of-N wall times on this machine. References:
torch 2.13 CPU eager (when installed) and hand-written NumPy.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import gradviz  # noqa: E402

try:  # the optional oracle, only where the core is compared with it
    if sys.argv[1:3] in (["--section", "core"], []) or "core" in sys.argv[1:2]:
        import torch

        torch.set_num_threads(1)
    else:
        torch = None
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


def report(name, value, reference=""):
    print(f"  {name:<58} {value:>22}   {reference}")


def best(fn, reps=5):
    """Best wall time of ``fn()`` over ``reps`` runs, in seconds."""
    out = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


# ---------------------------------------------------------------- chain of tiny ops
def chain(lib, n=10_000):
    """Seconds for the forward and the backward of ``n`` multiplications of a 1-element tensor."""
    x = lib.ones(1, requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * 1.0001
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def chain_numpy(n=10_000):
    a = np.ones(1, np.float32)
    t = time.perf_counter()
    for _ in range(n):
        a = a * 1.0001
    return time.perf_counter() - t


def bench_chain(n=10_000, reps=5):
    f = b = float("inf")
    for _ in range(reps):
        ff, bb = chain(gradviz, n)
        f, b = min(f, ff), min(b, bb)
    ref = ""
    if torch is not None:
        tf = tb = float("inf")
        for _ in range(reps):
            ff, bb = chain(torch, n)
            tf, tb = min(tf, ff), min(tb, bb)
        ref = f"torch {tf / n * 1e6:.2f} / {tb / n * 1e6:.2f} us"
    floor = min(chain_numpy(n) for _ in range(reps)) / n * 1e6
    report(f"chain of {n:,} ops, forward / backward per op (<= 2.5 / 3)",
           f"{f / n * 1e6:.2f} / {b / n * 1e6:.2f} us", f"{ref}; NumPy floor {floor:.2f} us")


# ---------------------------------------------------------------- MLP step
def _mlp_params(rng, dtype=np.float32):
    w1 = (rng.standard_normal((256, 784)) * 0.05).astype(dtype)
    b1 = np.zeros(256, dtype)
    w2 = (rng.standard_normal((10, 256)) * 0.05).astype(dtype)
    b2 = np.zeros(10, dtype)
    return [w1, b1, w2, b2]


def mlp_step_numpy(params, x, y, lr=0.1):
    w1, b1, w2, b2 = params
    h = x @ w1.T + b1
    a = np.maximum(h, 0)
    logits = a @ w2.T + b2
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    loss = -logp[np.arange(len(y)), y].mean()
    g = np.exp(logp)
    g[np.arange(len(y)), y] -= 1
    g /= len(y)
    gw2, gb2 = g.T @ a, g.sum(0)
    ga = g @ w2
    gh = ga * (h > 0)
    gw1, gb1 = gh.T @ x, gh.sum(0)
    for p, gp in zip(params, (gw1, gb1, gw2, gb2)):
        p -= lr * gp
    return loss


def mlp_step(lib, params, x, y, lr=0.1):
    F = lib.nn.functional
    h = F.relu(F.linear(x, params[0], params[1]))
    loss = F.cross_entropy(F.linear(h, params[2], params[3]), y)
    loss.backward()
    with lib.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
            p.grad = None
    return loss


def bench_mlp(reps=20):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 784)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    ref_params = _mlp_params(rng)
    t_np = best(lambda: mlp_step_numpy(ref_params, x, y), reps)
    gparams = [gradviz.tensor(p, requires_grad=True) for p in _mlp_params(rng)]
    gx, gy = gradviz.tensor(x), gradviz.tensor(y)
    t_gv = best(lambda: mlp_step(gradviz, gparams, gx, gy), reps)
    ref = f"NumPy {t_np * 1e3:.3f} ms"
    if torch is not None:
        tparams = [torch.tensor(p, requires_grad=True) for p in _mlp_params(rng)]
        tx, ty = torch.tensor(x), torch.tensor(y)
        t_t = best(lambda: mlp_step(torch, tparams, tx, ty), reps)
        ref += f"; torch {t_t * 1e3:.3f} ms"
    report("784-256-10 MLP SGD step, batch 64 (<= 1.3x NumPy)",
           f"{t_gv * 1e3:.3f} ms ({t_gv / t_np:.2f}x)", ref)


# ---------------------------------------------------------------- tutorial and many matmuls
def tutorial(lib):
    x = lib.ones(5)
    y = lib.zeros(3)
    w = lib.randn(5, 3, requires_grad=True)
    b = lib.randn(3, requires_grad=True)
    z = lib.matmul(x, w) + b
    loss = lib.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    inp = lib.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(lib.ones_like(out), retain_graph=True)
    out.backward(lib.ones_like(out), retain_graph=True)
    inp.grad.zero_()
    out.backward(lib.ones_like(out), retain_graph=True)


def many_matmuls(lib, mats):
    loss = None
    for a, b in mats:
        s = (a @ b).sum()
        loss = s if loss is None else loss + s
    loss.backward()


def bench_small_graphs(reps=50):
    t_gv = best(lambda: tutorial(gradviz), reps)
    ref = f"torch {best(lambda: tutorial(torch), reps) * 1e6:.0f} us" if torch else "torch n/a"
    report("tutorial forward + backward (faster than torch)", f"{t_gv * 1e6:.0f} us", ref)
    rng = np.random.default_rng(1)
    arrays = [(rng.standard_normal((16, 16)).astype(np.float32),
               rng.standard_normal((16, 16)).astype(np.float32)) for _ in range(2000)]
    gm = [(gradviz.tensor(a, requires_grad=True), gradviz.tensor(b, requires_grad=True))
          for a, b in arrays]
    t_gv = best(lambda: many_matmuls(gradviz, gm), 7)
    ref = "torch n/a"
    if torch is not None:
        tm = [(torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True))
              for a, b in arrays]
        ref = f"torch {best(lambda: many_matmuls(torch, tm), 7) * 1e3:.1f} ms"
    report("2,000 16x16 matmuls summed, forward + backward (faster than torch)",
           f"{t_gv * 1e3:.1f} ms", ref)


def bench_core():
    bench_chain()
    bench_mlp()
    bench_small_graphs()


SECTIONS = {
    "core": ("Autograd core", bench_core),
    "model": ("Graph model (recording, memory)", "bench_model"),
    "layout": ("Layered layout", "bench_layout"),
    "gui": ("GUI (offscreen)", "bench_gui"),
    "loop": ("A training loop typed in the console (offscreen)", "bench_loop"),
    "debug": ("Debugging tools (provenance, NaN origin, saved bytes, flow, compare)",
              "bench_debug"),
}


def run_section(key):
    title, target = SECTIONS[key]
    print(f"\n{title}", flush=True)
    if callable(target):
        target()
        return
    try:
        module = importlib.import_module(target)
    except ImportError as exc:
        report(f"{target}.py not available", str(exc))
        return
    module.run(report)


def main(argv):
    """Each section runs in a fresh interpreter, so one section's objects (torch's, the
    last graph's) do not weigh on the next one's garbage collector."""
    if argv[:1] == ["--section"]:
        run_section(argv[1])
        return
    wanted = argv or list(SECTIONS)
    try:
        from importlib.metadata import version

        torch_version = version("torch")
    except ImportError:  # pragma: no cover
        torch_version = "not installed"
    print(f"gradviz {gradviz.__version__}, NumPy {np.__version__}, torch {torch_version}")
    for key in wanted:
        if key not in SECTIONS:
            raise SystemExit(f"unknown section {key!r}: choose from {', '.join(SECTIONS)}")
        subprocess.run([sys.executable, __file__, "--section", key], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
