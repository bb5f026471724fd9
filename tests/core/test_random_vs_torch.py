"""gradviz's random numbers are torch's: the same seed gives the same tensors.

Integers, permutations, masks and the generator's state bytes are compared bit for bit;
floats to 1e-6 relative (torch's vectorised paths may round a last bit differently on
another CPU). After every draw the two generators' states must be equal too, so each
call consumed exactly torch's number of 32-bit words.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import gradviz

SEEDS = [0, 1, 7, 42, 1234, 2**31 - 1, 2**32, 2**32 + 5, 2**63, 2**64 - 1, -1, -2**63]
SIZES = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 48, 100, 1000, 4099]
FLOATS = ["float32", "float64", "float16"]


def seeded(torch, seed):
    """A gradviz and a torch generator seeded alike."""
    return gradviz.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def same_state(g, t):
    np.testing.assert_array_equal(g.get_state().numpy(), t.get_state().numpy())


def close(got, want):
    """Floats to 1e-6 relative (1e-12 absolute for values next to zero); same dtype and shape."""
    got, want = got.numpy(), want.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


def equal(got, want):
    got, want = got.numpy(), want.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- seeding and state
@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_state_bytes_are_torchs(oracle, seed):
    g, t = seeded(oracle, seed)
    same_state(g, t)
    assert g.initial_seed() == t.initial_seed()
    gradviz.manual_seed(seed)
    oracle.manual_seed(seed)
    np.testing.assert_array_equal(gradviz.get_rng_state().numpy(),
                                  oracle.get_rng_state().numpy())
    assert gradviz.initial_seed() == oracle.initial_seed()


def test_new_generator_has_torchs_default_seed(oracle):
    g, t = gradviz.Generator(), oracle.Generator()
    assert g.initial_seed() == t.initial_seed() == 67280421310721
    same_state(g, t)
    equal(gradviz.randn(5, generator=g), oracle.randn(5, generator=t))


def test_seed_draws_from_the_os_and_is_reported():
    g = gradviz.Generator()
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and g.initial_seed() == s
    again = gradviz.Generator().manual_seed(s)
    equal(gradviz.rand(4, generator=g), gradviz.rand(4, generator=again))
    assert gradviz.seed() == gradviz.initial_seed()


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_state_round_trips_between_gradviz_and_torch(oracle, seed):
    g, t = seeded(oracle, seed)
    gradviz.randn(3, generator=g)  # leaves a cached normal in the state
    oracle.randn(3, generator=t)
    same_state(g, t)
    state = g.get_state()
    assert state.dtype is gradviz.uint8 and state.shape == (5056,)
    first = gradviz.randn(5, generator=g)
    # gradviz's bytes load into torch and torch's into gradviz: both go on alike
    t2 = oracle.Generator().set_state(oracle.from_numpy(state.numpy().copy()))
    g2 = gradviz.Generator().set_state(gradviz.from_numpy(t.get_state().numpy()))
    close(first, oracle.randn(5, generator=t2))
    close(gradviz.randn(5, generator=g2), oracle.randn(5, generator=t))
    g.set_state(state)
    equal(gradviz.randn(5, generator=g), first)


def test_global_rng_state_round_trip(oracle):
    gradviz.manual_seed(5)
    oracle.manual_seed(5)
    gradviz.rand(7)
    oracle.rand(7)
    saved, saved_t = gradviz.get_rng_state(), oracle.get_rng_state()
    a, a_t = gradviz.randn(20), oracle.randn(20)
    gradviz.set_rng_state(saved)
    oracle.set_rng_state(saved_t)
    equal(gradviz.randn(20), a)
    close(oracle.randn(20), a_t)


def test_generator_errors_are_torchs(oracle):
    g = gradviz.Generator()
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got str"):
        g.manual_seed("a")
    with pytest.raises(ValueError, match="Overflow"):
        gradviz.manual_seed(2**64)
    with pytest.raises(RuntimeError, match="of size 5056 but found the input RNG state size "
                                           "to be 10"):
        g.set_state(gradviz.zeros(10, dtype=gradviz.uint8))
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        g.set_state(gradviz.zeros(5056))
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        gradviz.set_rng_state(gradviz.zeros(5056))
    with pytest.raises(TypeError, match="'generator' must be torch.Generator"):
        gradviz.rand(2, generator=3)
    assert g.device == gradviz.device("cpu")
    assert gradviz.manual_seed(1) is gradviz.default_generator


# ---------------------------------------------------------------- floats
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand_and_randn(oracle, dtype, n):
    for seed in SEEDS[:6]:
        g, t = seeded(oracle, seed)
        d, dt = getattr(gradviz, dtype), getattr(oracle, dtype)
        equal(gradviz.rand(n, dtype=d, generator=g), oracle.rand(n, dtype=dt, generator=t))
        close(gradviz.randn(n, dtype=d, generator=g), oracle.randn(n, dtype=dt, generator=t))
        close(gradviz.randn(2, n, dtype=d, generator=g), oracle.randn(2, n, dtype=dt, generator=t))
        same_state(g, t)


@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_and_normal_with_parameters(oracle, dtype):
    for seed in range(8):
        g, t = seeded(oracle, seed)
        for n in (5, 16, 23, 64):
            # the last two: values rounding up to ``high`` become ``low``, as torch's do
            for low, high in ((-0.3, 0.7), (2.0, 2.5), (-1e3, 1e3), (1.0, 1.0),
                              (1.0, 1.0000003), (1.0, 1.01)):
                a = gradviz.empty(n, dtype=getattr(gradviz, dtype))
                b = oracle.empty(n, dtype=getattr(oracle, dtype))
                equal(a.uniform_(low, high, generator=g), b.uniform_(low, high, generator=t))
            for mean, std in ((0.5, 2.0), (-3.0, 0.1), (0.0, 0.0)):
                a = gradviz.empty(n, dtype=getattr(gradviz, dtype))
                b = oracle.empty(n, dtype=getattr(oracle, dtype))
                close(a.normal_(mean, std, generator=g), b.normal_(mean, std, generator=t))
            same_state(g, t)


def test_cached_normal_carries_across_calls(oracle):
    """torch's scalar Box-Muller caches its second value; small draws use it up in turn."""
    g, t = seeded(oracle, 11)
    for n, kind in [(1, "randn"), (3, "randn"), (2, "rand"), (1, "randn"), (17, "randn"),
                    (5, "randn64"), (1, "randn"), (15, "randn64"), (40, "randn64"), (2, "randn")]:
        if kind == "rand":
            equal(gradviz.rand(n, generator=g), oracle.rand(n, generator=t))
        else:
            d = gradviz.float64 if kind == "randn64" else gradviz.float32
            dt = oracle.float64 if kind == "randn64" else oracle.float32
            close(gradviz.randn(n, dtype=d, generator=g), oracle.randn(n, dtype=dt, generator=t))
        same_state(g, t)


def test_non_contiguous_fills_walk_memory_as_torch(oracle):
    """normal_ on a non-contiguous tensor takes the scalar path; fills go in memory order."""
    g, t = seeded(oracle, 3)
    for shape in ((4, 8), (5, 7), (3, 2, 4)):
        a, b = gradviz.zeros(*shape).transpose(0, -1), oracle.zeros(*shape).transpose(0, -1)
        close(a.normal_(generator=g), b.normal_(generator=t))
        close(a.uniform_(-2, 2, generator=g), b.uniform_(-2, 2, generator=t))
        a, b = gradviz.zeros(*shape)[:, ::2], oracle.zeros(*shape)[:, ::2]
        close(a.normal_(generator=g), b.normal_(generator=t))
        same_state(g, t)


def test_large_tensors(oracle):
    for seed, n in ((0, 100_000), (9, 1_000_003)):
        g, t = seeded(oracle, seed)
        close(gradviz.randn(n, generator=g), oracle.randn(n, generator=t))
        close(gradviz.randn(n // 10, dtype=gradviz.float64, generator=g),
              oracle.randn(n // 10, dtype=oracle.float64, generator=t))
        equal(gradviz.rand(n, generator=g), oracle.rand(n, generator=t))
        equal(gradviz.randint(-5, 5, (n,), generator=g), oracle.randint(-5, 5, (n,), generator=t))
        same_state(g, t)


def test_normal_with_tensor_arguments(oracle):
    g, t = seeded(oracle, 8)
    mean = np.linspace(-1, 1, 20, dtype=np.float32)
    std = np.linspace(0, 2, 20, dtype=np.float32)
    gm, gs = gradviz.from_numpy(mean), gradviz.from_numpy(std)
    tm, ts = oracle.from_numpy(mean), oracle.from_numpy(std)
    close(gradviz.normal(gm, 0.5, generator=g), oracle.normal(tm, 0.5, generator=t))
    close(gradviz.normal(2.0, gs, generator=g), oracle.normal(2.0, ts, generator=t))
    close(gradviz.normal(gm, gs, generator=g), oracle.normal(tm, ts, generator=t))
    close(gradviz.normal(1.0, 3.0, (4, 5), generator=g), oracle.normal(1.0, 3.0, (4, 5),
                                                                      generator=t))
    same_state(g, t)


def test_like_factories(oracle):
    g, t = seeded(oracle, 21)
    a, b = gradviz.zeros(3, 17, dtype=gradviz.float64), oracle.zeros(3, 17, dtype=oracle.float64)
    equal(gradviz.rand_like(a, generator=g), oracle.rand_like(b, generator=t))
    close(gradviz.randn_like(a, generator=g), oracle.randn_like(b, generator=t))
    equal(gradviz.randint_like(a, 7, generator=g), oracle.randint_like(b, 7, generator=t))
    equal(gradviz.randint_like(a, -3, 3, generator=g), oracle.randint_like(b, -3, 3, generator=t))
    same_state(g, t)


def test_global_generator_and_errors(oracle):
    gradviz.manual_seed(77)
    oracle.manual_seed(77)
    close(gradviz.randn(2, 3), oracle.randn(2, 3))
    equal(gradviz.rand(4), oracle.rand(4))
    for bad in ("gradviz.empty(3, dtype=gradviz.int64).normal_()",
                "gradviz.empty(3, dtype=gradviz.int64).uniform_()",
                "gradviz.empty(3).normal_(0, -1)", "gradviz.empty(3).uniform_(1, 0)",
                "gradviz.empty(3).bernoulli_(1.5)", "gradviz.randint(5, 5, (2,))"):
        with pytest.raises(Exception) as ours:
            eval(bad)
        with pytest.raises(Exception) as theirs:
            eval(bad.replace("gradviz.", "oracle."))
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value).split("\n")[0], bad


# ---------------------------------------------------------------- integers and permutations
RANGES = [(0, 2), (0, 10), (-5, 5), (3, 1000), (0, 2**28 - 1), (0, 2**28), (-2**27, 2**27),
          (0, 2**31), (-2**40, 2**40), (5, 2**62)]


@pytest.mark.parametrize("low, high", RANGES)
def test_randint(oracle, low, high):
    for seed in SEEDS[:5]:
        g, t = seeded(oracle, seed)
        for n in (1, 2, 16, 17, 999):
            equal(gradviz.randint(low, high, (n,), generator=g),
                  oracle.randint(low, high, (n,), generator=t))
        same_state(g, t)


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32", "float64"])
def test_randint_dtypes(oracle, dtype):
    g, t = seeded(oracle, 4)
    high = 200 if dtype in ("uint8",) else 2**14
    for n in (3, 40):
        equal(gradviz.randint(high, (n,), dtype=getattr(gradviz, dtype), generator=g),
              oracle.randint(high, (n,), dtype=getattr(oracle, dtype), generator=t))
    same_state(g, t)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 16, 17, 100, 1000, 65_537])
def test_randperm(oracle, n):
    for seed in SEEDS[:6]:
        g, t = seeded(oracle, seed)
        equal(gradviz.randperm(n, generator=g), oracle.randperm(n, generator=t))
        equal(gradviz.randperm(n, dtype=gradviz.float32, generator=g),
              oracle.randperm(n, dtype=oracle.float32, generator=t))
        same_state(g, t)


def test_shuffle_without_a_loop_is_the_sequential_swaps():
    """randperm's vectorised shuffle against torch's loop, on targets no seed may give."""
    from gradviz.core.tensors.torch_random import _swaps_applied

    rng = np.random.default_rng(0)
    for n in (2, 3, 4, 9, 50):
        patterns = [np.arange(n - 1), np.full(n - 1, n - 1), np.arange(1, n)]
        patterns += [np.arange(n - 1) + rng.integers(0, n - np.arange(n - 1)) for _ in range(40)]
        for targets in patterns:
            perm = list(range(n))
            for i, j in enumerate(targets.tolist()):
                perm[i], perm[j] = perm[j], perm[i]
            np.testing.assert_array_equal(_swaps_applied(n, targets), perm)


def test_random_(oracle):
    g, t = seeded(oracle, 6)
    for dtype in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
                  "bool"):
        a, b = gradviz.zeros(9, dtype=getattr(gradviz, dtype)), oracle.zeros(
            9, dtype=getattr(oracle, dtype))
        equal(a.random_(generator=g), b.random_(generator=t))
        if dtype != "bool":
            equal(a.random_(3, 11, generator=g), b.random_(3, 11, generator=t))
            equal(a.random_(7, generator=g), b.random_(7, generator=t))
        same_state(g, t)


# ---------------------------------------------------------------- bernoulli and dropout
def test_bernoulli(oracle):
    for seed in range(6):
        g, t = seeded(oracle, seed)
        for n in (1, 16, 33, 500):
            for p in (0.0, 0.2, 0.5, 1.0):
                equal(gradviz.empty(n).bernoulli_(p, generator=g),
                      oracle.empty(n).bernoulli_(p, generator=t))
            probs = np.random.default_rng(seed).random(n)
            for dtype in ("float32", "float64"):
                gp = gradviz.tensor(probs, dtype=getattr(gradviz, dtype))
                tp = oracle.tensor(probs, dtype=getattr(oracle, dtype))
                equal(gradviz.bernoulli(gp, generator=g), oracle.bernoulli(tp, generator=t))
                equal(gp.bernoulli(generator=g), tp.bernoulli(generator=t))
                equal(gradviz.zeros(n).bernoulli_(gp, generator=g),
                      oracle.zeros(n).bernoulli_(tp, generator=t))
            same_state(g, t)


def _intel_cpu():
    cpuinfo = Path("/proc/cpuinfo")
    return cpuinfo.exists() and "GenuineIntel" in cpuinfo.read_text()


@pytest.mark.skipif(_intel_cpu(), reason="torch's bernoulli_(p) and dropout use MKL's own "
                    "stream on Intel CPUs; gradviz follows torch on every other CPU")
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_masks_are_torchs(oracle, p):
    from gradviz.core.functions.random import dropout_noise

    for seed in range(5):
        for shape in ((7,), (16,), (4, 33)):
            oracle.manual_seed(seed)
            x = oracle.ones(shape)
            torch_noise = oracle.nn.functional.dropout(x, p, training=True).numpy()
            gradviz.manual_seed(seed)
            noise = dropout_noise(shape, np.float32, p)
            np.testing.assert_array_equal(noise, torch_noise)
            np.testing.assert_array_equal(gradviz.get_rng_state().numpy(),
                                          oracle.get_rng_state().numpy())


@pytest.mark.skipif(_intel_cpu(), reason="torch's dropout uses MKL's own stream on Intel CPUs")
def test_functional_dropout_and_module_are_torchs(oracle):
    values = np.linspace(-2, 2, 40, dtype=np.float32).reshape(5, 8)
    for p in (0.0, 0.25, 0.5, 1.0):
        gradviz.manual_seed(int(p * 100))
        oracle.manual_seed(int(p * 100))
        x, xt = gradviz.tensor(values, requires_grad=True), oracle.tensor(values,
                                                                          requires_grad=True)
        y = gradviz.nn.functional.dropout(x, p)
        yt = oracle.nn.functional.dropout(xt, p)
        equal(y.detach(), yt.detach())
        assert (y is x) == (yt is xt)
        assert type(y.grad_fn).__name__ == type(yt.grad_fn).__name__
        (y * y).sum().backward()
        (yt * yt).sum().backward()
        equal(x.grad, xt.grad)
    layer, layer_t = gradviz.nn.Dropout(0.3), oracle.nn.Dropout(0.3)
    assert repr(layer) == repr(layer_t)
    gradviz.manual_seed(4)
    oracle.manual_seed(4)
    a, b = gradviz.ones(3, 9), oracle.ones(3, 9)
    equal(layer(a), layer_t(b))
    equal(gradviz.nn.functional.dropout(a * 1, 0.6, inplace=True),
          oracle.nn.functional.dropout(b * 1, 0.6, inplace=True))
    layer.eval()
    assert layer(a) is a
    with pytest.raises(ValueError, match="has to be between 0 and 1, but got 1.5"):
        gradviz.nn.functional.dropout(a, 1.5)


# ---------------------------------------------------------------- nn.init as the layers use it
@pytest.mark.parametrize("seed", [0, 1, 123])
@pytest.mark.parametrize("shape", [(4, 3), (1, 1), (16, 8), (3, 100)])
def test_seeded_linear_layers_are_torchs(oracle, seed, shape):
    gradviz.manual_seed(seed)
    oracle.manual_seed(seed)
    ours, theirs = gradviz.nn.Linear(*shape), oracle.nn.Linear(*shape)
    equal(ours.weight.detach(), theirs.weight.detach())
    equal(ours.bias.detach(), theirs.bias.detach())
    assert str(ours.weight) == str(theirs.weight)


def test_torch_manual_seed_0_linear_4_3_prints_torchs_weight(oracle):
    gradviz.manual_seed(0)
    oracle.manual_seed(0)
    assert str(gradviz.nn.Linear(4, 3).weight) == str(oracle.nn.Linear(4, 3).weight)


@pytest.mark.parametrize("name, kwargs", [
    ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {"mean": 1.0, "std": 0.5}),
    ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_normal_", {"mode": "fan_out"})])
def test_nn_init(oracle, name, kwargs):
    for shape in ((5, 3), (8, 4), (2, 3, 4)):
        g, t = seeded(oracle, sum(shape))
        a, b = gradviz.empty(*shape), oracle.empty(*shape)
        getattr(gradviz.nn.init, name)(a, generator=g, **kwargs)
        getattr(oracle.nn.init, name)(b, generator=t, **kwargs)
        close(a, b)
        same_state(g, t)


def test_in_place_fills_count_as_writes():
    x = gradviz.zeros(3)
    x.uniform_()
    assert x._version == 1
    leaf = gradviz.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.normal_()
    with gradviz.no_grad():
        leaf.normal_()
    assert leaf._version == 1


def test_random_module_has_torchs_names(oracle):
    for name in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
                 "fork_rng", "default_generator", "Generator"):
        assert hasattr(oracle.random, name) and hasattr(gradviz.random, name), name
    gradviz.random.manual_seed(3)
    oracle.random.manual_seed(3)
    gradviz.randn(1)  # a cached normal in the state too
    oracle.randn(1)
    with gradviz.random.fork_rng(), oracle.random.fork_rng():
        inside, inside_t = gradviz.randn(4), oracle.randn(4)
        close(inside, inside_t)
    equal(gradviz.randn(4), inside)  # the same draws again: the fork restored the state
    equal(oracle.randn(4), inside_t)
    assert gradviz.random.default_generator is gradviz.default_generator


# ---------------------------------------------------------------- exponential_ and multinomial
@pytest.mark.parametrize("dtype", FLOATS)
def test_exponential_(oracle, dtype):
    g, t = seeded(oracle, 12)
    for n, lambd in ((1, 1.0), (16, 0.5), (100, 3.0)):
        a, b = gradviz.empty(n, dtype=getattr(gradviz, dtype)), oracle.empty(
            n, dtype=getattr(oracle, dtype))
        close(a.exponential_(lambd, generator=g), b.exponential_(lambd, generator=t))
        same_state(g, t)
    for bad in ("gradviz.empty(3).exponential_(0)", "gradviz.empty(3).exponential_(-1)",
                "gradviz.empty(3, dtype=gradviz.int64).exponential_()"):
        with pytest.raises(RuntimeError) as ours:
            eval(bad)
        with pytest.raises(RuntimeError) as theirs:
            eval(bad.replace("gradviz.", "oracle."))
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial(oracle, replacement, dtype):
    for seed in range(6):
        g, t = seeded(oracle, seed)
        rng = np.random.default_rng(seed)
        for shape in ((5,), (3, 7), (1, 40)):
            weights = rng.random(shape) * (rng.random(shape) > 0.2) + 1e-3
            a = gradviz.tensor(weights, dtype=getattr(gradviz, dtype))
            b = oracle.tensor(weights, dtype=getattr(oracle, dtype))
            for k in (1, 2, shape[-1]):
                equal(gradviz.multinomial(a, k, replacement, generator=g),
                      oracle.multinomial(b, k, replacement, generator=t))
            if replacement:
                equal(a.multinomial(3 * shape[-1], True, generator=g),
                      b.multinomial(3 * shape[-1], True, generator=t))
            same_state(g, t)


def test_multinomial_errors_are_torchs(oracle):
    for bad in ("lib.multinomial(lib.tensor([0.2, 0.3]), 3)",
                "lib.multinomial(lib.tensor([-0.2, 0.3]), 1)",
                "lib.multinomial(lib.tensor([0., 0.]), 1)",
                "lib.multinomial(lib.tensor([0.2, 0.3]), 0)",
                "lib.multinomial(lib.tensor([[[0.2, 0.3]]]), 1)",
                "lib.multinomial(lib.tensor([1, 2]), 1)",
                "lib.multinomial(lib.tensor([-0.2, 0.3]), 2, True)"):
        with pytest.raises(RuntimeError) as ours:
            eval(bad, {"lib": gradviz})
        with pytest.raises(RuntimeError) as theirs:
            eval(bad, {"lib": oracle})
        assert str(ours.value) == str(theirs.value), bad
    gradviz.manual_seed(1)
    oracle.manual_seed(1)
    equal(gradviz.multinomial(gradviz.tensor([0.0, 0.3, 0.0]), 2),
          oracle.multinomial(oracle.tensor([0.0, 0.3, 0.0]), 2))
