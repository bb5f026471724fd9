"""torch's CPU random number generator, reproduced in NumPy (self-contained: NumPy + stdlib).

A seeded gradviz program draws the same numbers as the same program on torch's CPU:
the Mersenne Twister (mt19937) seeded and drawn as ``CPUGeneratorImpl`` does, and
torch's algorithms on top of it (``ATen/core/DistributionsHelper.h``,
``ATen/core/TransformationHelper.h``, ``ATen/native/cpu/DistributionTemplates.h``)::

    >>> g = MT19937Generator(0)
    >>> g.normal(3, 0.0, 1.0, np.float32)          # torch.manual_seed(0); torch.randn(3)
    array([ 1.5409961, -0.2934289, -2.1787894], dtype=float32)

The engine: 32-bit draws are mt19937's tempered outputs; a 64-bit draw is two of them,
the first one high. The twist runs in NumPy's compiled MT19937 (the same recurrence
and tempering), whose 624-word key and position this class loads and reads back, so a
million draws cost milliseconds; seeding (``init_genrand``) is done here.

Each distribution returns a flat array in the order torch fills a tensor's memory.
Integers, permutations, masks and the state bytes are torch's bit for bit. Floats are
too on an x86-64 Linux machine with AVX2 (torch's float32 normals there use
``avx_mathfun``'s log and sincos, reproduced below; float64 ones the C library's, which
Python's ``math`` calls too); elsewhere torch's own float results vary in the last bit.
On Intel CPUs with MKL, torch's ``bernoulli_(p)`` with a number ``p`` (hence dropout)
draws from MKL's own stream seeded by one 32-bit draw; this module follows the path
torch takes on every other CPU.
"""

from __future__ import annotations

import math
import os
import struct

import numpy as np

DEFAULT_SEED = 67280421310721  # torch.Generator().initial_seed()
STATE_SIZE = 5056  # bytes of torch's CPUGeneratorImplState (torch.get_rng_state().numel())
_N = 624
_HEAD = struct.Struct("<qiiQ")  # the_initial_seed, left, seeded, next
_TAIL = struct.Struct("<dddi4xf?3x")  # normal_x, normal_y, normal_rho, normal_is_valid,
# next_float_normal_sample, is_next_float_normal_sample_valid
_FLOAT_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53,
                 np.dtype(np.float16): 24}  # half's uniforms are float's, rounded
_RANDINT_64_BITS = 1 << 28  # torch switches to 64-bit draws from this range on
_RANDPERM_64_BITS = (2**32 - 1) // 20  # and randperm to its 64-bit shuffle from this n on


def _seeded_key(seed):
    """mt19937's ``init_genrand`` with the low 32 bits of ``seed``."""
    key = [seed & 0xFFFFFFFF]
    for i in range(1, _N):
        x = key[-1]
        key.append((1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


def _as_seed(seed):
    """torch's reading of a seed: an int in [-2**63, 2**64), negatives as two's complement."""
    seed = int(seed)  # torch: int("a") raises ValueError
    if not -(2**63) <= seed < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2**64


class MT19937Generator:
    """torch's CPU generator: its seed, its mt19937 state and its cached normal samples."""

    def __init__(self, seed=DEFAULT_SEED):
        self._bits = np.random.MT19937()
        self.manual_seed(seed)

    # ------------------------------------------------------------------ seeding and state
    def manual_seed(self, seed):
        """Seed as ``torch.Generator.manual_seed``: the key from the low 32 bits, caches cleared."""
        seed = _as_seed(seed)
        self._initial_seed = seed
        self._load(_seeded_key(seed), 624)
        self._fresh = True  # torch's state says next=0 until the first draw
        self._normal_double = None
        self._normal_float = None
        return self

    def seed(self):
        """Seed from the operating system's entropy (as torch) and return the seed."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._initial_seed

    def _load(self, key, pos):
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    def get_state(self):
        """torch's state bytes (a ``uint8`` array of ``STATE_SIZE``), as ``get_rng_state`` gives."""
        state = self._bits.state["state"]
        pos = int(state["pos"])
        nxt = 0 if self._fresh else pos
        head = _HEAD.pack(self._initial_seed - (2**64 if self._initial_seed >= 2**63 else 0),
                          625 - pos, 1, nxt)
        double, single = self._normal_double, self._normal_float
        tail = _TAIL.pack(0.0, double or 0.0, 0.0, double is not None,
                          single or 0.0, single is not None)
        key = np.asarray(state["key"], dtype=np.uint64).tobytes()
        return np.frombuffer(head + key + tail, dtype=np.uint8).copy()

    def set_state(self, state):
        """Load torch's state bytes (``STATE_SIZE`` of them, as ``torch.get_rng_state()``)."""
        raw = np.ascontiguousarray(state, dtype=np.uint8).tobytes()
        if len(raw) != STATE_SIZE:
            raise RuntimeError(f"Expected either a THGeneratorState of size 5048 or a "
                               f"CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                               f"RNG state size to be {len(raw)}")
        seed, left, _, nxt = _HEAD.unpack_from(raw, 0)
        key = np.frombuffer(raw, dtype=np.uint64, count=_N, offset=_HEAD.size)
        _, normal_y, _, valid, single, single_valid = _TAIL.unpack_from(
            raw, _HEAD.size + 8 * _N)
        self._initial_seed = seed % 2**64
        # torch twists when ``left`` runs down to 0; states it writes have left + next == 625
        self._load(key.astype(np.uint32), 624 if left <= 1 else int(nxt))
        self._fresh = left <= 1 and nxt == 0
        self._normal_double = float(normal_y) if valid else None
        self._normal_float = float(np.float32(single)) if single_valid else None
        return self

    # ------------------------------------------------------------------ raw draws
    def random(self, n):
        """``n`` 32-bit draws (torch's ``random()``) as uint32."""
        self._fresh = self._fresh and not n
        return self._bits.random_raw(n).astype(np.uint32)

    def random64(self, n):
        """``n`` 64-bit draws (torch's ``random64()``: two 32-bit draws, the first high)."""
        self._fresh = self._fresh and not n
        raw = self._bits.random_raw(2 * n)
        return (raw[0::2] << np.uint64(32)) | raw[1::2]

    def _unit(self, n, dtype):
        """torch's ``uniform_real_distribution(0, 1)``: the low mantissa bits of a draw
        (float32's for float16: torch computes half's in float)."""
        digits = _FLOAT_DIGITS[dtype]
        work = np.float32 if dtype == np.float16 else dtype.type
        draws = self.random64(n) if dtype == np.float64 else self.random(n)
        mask = draws.dtype.type((1 << digits) - 1)
        return (draws & mask).astype(work) * work(2.0**-digits)

    # ------------------------------------------------------------------ distributions
    def uniform(self, n, low, high, dtype):
        """``uniform_(low, high)``: ``x * (high - low) + low`` in the tensor's dtype."""
        dtype = np.dtype(dtype)
        work = np.float32 if dtype == np.float16 else dtype.type  # half's bounds stay float
        low, high = work(low), work(high)
        out = _fused(self._unit(n, dtype), high - low, low, np.dtype(work)).astype(dtype)
        out[out == dtype.type(high)] = dtype.type(low)  # torch keeps [low, high): a value
        return out  # rounded up to high becomes low

    def normal(self, n, mean, std, dtype, contiguous=True):
        """``normal_(mean, std)``: 16-wide Box-Muller for >= 16 contiguous values, else scalar."""
        dtype = np.dtype(dtype)
        if n >= 16 and contiguous:
            if dtype in (np.float32, np.float16):  # half: computed in float, rounded last
                return self._normal_fill_float(n, np.float32(mean), np.float32(std),
                                               dtype == np.float16).astype(dtype)
            return self._normal_fill(n, dtype.type(mean), dtype.type(std), dtype)
        return _fma64(self._normal_scalar(n), float(std), float(mean)).astype(dtype)

    def _fill(self, n, dtype, box_muller, whole_blocks=False):
        """torch's ``normal_fill``: ``n`` uniforms turned into normals 16 at a time; when
        16 does not divide ``n``, the last 16 are drawn again and turned over the tail
        (for half, torch draws only the whole blocks' uniforms before the tail's)."""
        full = n - n % 16
        out = self._unit(full if whole_blocks else n, dtype)
        out = np.concatenate([out, np.zeros(n - len(out), out.dtype)])
        blocks = out[:full].reshape(-1, 2, 8)
        blocks[:, 0], blocks[:, 1] = box_muller(blocks[:, 0], blocks[:, 1])
        if n % 16:
            tail = self._unit(16, dtype)
            out[n - 16: n - 8], out[n - 8:] = box_muller(tail[:8], tail[8:])
        return out

    def _normal_fill(self, n, mean, std, dtype):
        """torch's scalar ``normal_fill`` (float64 and the non-float32 types)."""
        def box_muller(u1, u2):
            radius = np.sqrt(-2 * _libm(math.log, 1 - u1.astype(np.float64)))
            theta = 2.0 * np.pi * u2.astype(np.float64)
            return (_fused(radius * _libm(math.cos, theta), std, mean, np.dtype(np.float64)),
                    _fused(radius * _libm(math.sin, theta), std, mean, np.dtype(np.float64)))

        return self._fill(n, dtype, box_muller).astype(dtype)

    def _normal_fill_float(self, n, mean, std, whole_blocks=False):
        """torch's float32 ``normal_fill_AVX2``: float32 steps, ``avx_mathfun``'s log and sincos."""
        f32 = np.float32

        def box_muller(u1, u2):
            radius = np.sqrt(f32(-2) * _log_avx(f32(1) - u1))
            sin, cos = _sincos_avx(f32(2 * np.pi) * u2)
            return _fma(radius * cos, std, mean), _fma(radius * sin, std, mean)

        return self._fill(n, np.dtype(f32), box_muller, whole_blocks)

    def _normal_scalar(self, n):
        """``n`` standard normals from ``normal_distribution<double>`` and its cache."""
        out = np.empty(n)
        start = 0
        if n and self._normal_double is not None:
            out[0], self._normal_double, start = self._normal_double, None, 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._unit(2 * pairs, np.dtype(np.float64))
            u1, u2 = u[0::2], u[1::2]
            r = np.sqrt(-2.0 * _libm(math.log1p, -u2))
            theta = 2.0 * np.pi * u1
            both = np.empty(2 * pairs)
            both[0::2], both[1::2] = r * _libm(math.cos, theta), r * _libm(math.sin, theta)
            out[start:] = both[: n - start]
            if (n - start) % 2:
                self._normal_double = float(both[-1])
        return out

    def randint(self, n, low, high):
        """``random_(low, high)``: ``draw % (high - low) + low``; 64-bit draws from 2**28 on."""
        span = high - low
        draws = self.random64(n) if span >= _RANDINT_64_BITS else self.random(n)
        return (draws % np.uint64(span)).astype(np.int64) + np.int64(low)

    def randperm(self, n):
        """torch's CPU ``randperm``: a Fisher-Yates shuffle of ``0..n-1``."""
        if n >= _RANDPERM_64_BITS:  # the "inside-out" shuffle with 64-bit draws
            z = (self.random64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
            perm = list(range(n))
            for i, j in enumerate(z):
                perm[i] = perm[j]
                perm[j] = i
            return np.array(perm, dtype=np.int64)
        z = self.random(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint32)
        return _swaps_applied(n, np.arange(n - 1) + z.astype(np.int64)) if n > 1 else (
            np.arange(n, dtype=np.int64))

    def exponential(self, n, lambd, dtype):
        """``exponential_(lambd)``: ``-1 / lambd * log1p(-u)`` from float64 uniforms."""
        u = self._unit(n, np.dtype(np.float64))
        return (-1.0 / lambd * _libm(math.log1p, -u)).astype(dtype)

    def multinomial_with_replacement(self, probs, n_sample):
        """torch's CPU kernel: per row, the running sum in the row's dtype, divided by the
        total, the last bucket set to 1, then a float64 uniform per sample located in it."""
        rows = np.atleast_2d(probs)
        out = np.empty((len(rows), n_sample), np.int64)
        for i, row in enumerate(rows):
            cum = np.cumsum(row.astype(np.float32 if row.dtype == np.float16 else row.dtype))
            u = self._unit(n_sample, np.dtype(np.float64))
            cum /= cum[-1]
            cum[-1] = 1
            out[i] = np.searchsorted(cum, u, side="left")
        return out if probs.ndim == 2 else out[0]

    def bernoulli(self, p, n=None):
        """0/1 draws ``u < p``: ``p`` a number (``n`` of them, float64 uniforms) or an array
        (one per element; float32 ``p`` compares float32 uniforms, as torch)."""
        if n is not None:
            return self._unit(n, np.dtype(np.float64)) < p
        p = np.asarray(p)
        dtype = np.dtype(np.float64) if p.dtype == np.float64 else np.dtype(np.float32)
        return self._unit(p.size, dtype) < p.reshape(-1).astype(dtype)


def _swaps_applied(n, targets):
    """``0..n-1`` after swapping positions ``i`` and ``targets[i] >= i`` for i = 0, 1, ...
    in turn (torch's shuffle), without a Python loop.

    Step ``i`` fixes position ``i`` to the value then at ``targets[i]``. That value is
    ``targets[i]`` itself unless an earlier step ``k`` targeted the same position, in which
    case it is what position ``k`` held before step ``k``. And what position ``k`` held then
    is ``k`` unless an earlier step targeted ``k``, and so on back: chains of "the last
    earlier step that targeted me", followed to their ends by pointer jumping.
    """
    steps = np.arange(n - 1)
    order = np.argsort(targets, kind="stable")  # grouped by target, steps ascending
    by_target, by_step = targets[order], steps[order]
    follows = np.zeros(n - 1, bool)  # the previous entry in the order has the same target
    follows[1:] = by_target[1:] == by_target[:-1]
    earlier = np.full(n - 1, -1)  # per step: the last earlier step with the same target
    earlier[order[1:]] = np.where(follows[1:], by_step[:-1], -1)
    # per position k: the last step before k that targeted k (a step k targeting k is not)
    last = np.nonzero(np.append(~follows[1:], True))[0]
    position, step = by_target[last], by_step[last]
    before = np.where(follows[last], by_step[last - 1], -1)
    targeted_by = np.full(n, -1)
    targeted_by[position] = np.where(step == position, before, step)
    held = np.where(targeted_by >= 0, targeted_by, np.arange(n))
    while True:  # follow each chain to the position that was never targeted before
        further = held[held]
        if np.array_equal(further, held):
            break
        held = further
    out = np.empty(n, np.int64)
    out[:-1] = np.where(earlier >= 0, held[np.maximum(earlier, 0)], targets)
    out[-1] = held[n - 1]
    return out


# ---------------------------------------------------------------------- the math library
_LIBM_MAX = 1 << 16  # beyond this many values NumPy's vector functions (within 2 ulp) are used


def _libm(function, x):
    """``function`` of each float64 in ``x`` through Python's ``math``, i.e. the C library torch
    calls too (NumPy's vectorised log/sin/cos may differ in the last bit)."""
    if x.size > _LIBM_MAX:
        return _NUMPY_OF[function](x)
    return np.fromiter(map(function, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


_NUMPY_OF = {math.log: np.log, math.log1p: np.log1p, math.sin: np.sin, math.cos: np.cos}


# ---------------------------------------------------------------------- float32 vector math
# torch's float32 normals (``normal_fill_16_AVX2``) take log, sin and cos from
# ``avx_mathfun.h`` (Cephes polynomials in single precision), compiled with GCC's
# contraction of ``a * b + c`` into one fused multiply-add. The same steps in NumPy float32
# give torch's bits; ``_fma`` rounds once, as the fused instruction does.


def _fma(a, b, c):
    """``a * b + c`` rounded once to float32 (exact in float64 for float32 ``a`` and ``b``)."""
    wide = np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)
    return wide.astype(np.float32)


def _split(x):
    """Veltkamp's split of float64 ``x`` into two halves of 26 bits each."""
    t = 134217729.0 * x
    high = t - (t - x)
    return high, x - high


def _fma64(a, b, c):
    """``a * b + c`` in float64 with one rounding, as a fused multiply-add (Dekker's exact
    product, then an exact sum; off only in cases of double rounding, rarer than 1 in 2**50)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    back = s - p
    t = (p - (s - back)) + (c - back)
    return s + (t + e)


def _fused(a, b, c, dtype):
    """``a * b + c`` as torch's kernels compute it (GCC fuses the two into one instruction)."""
    return _fma(a, b, c) if dtype == np.float32 else _fma64(a, b, c).astype(dtype)


_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)


def _log_avx(x):
    """``log256_ps`` for positive normal float32 ``x``."""
    f32 = np.float32
    bits = x.astype(f32).view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(f32) + f32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(f32)  # the mantissa in [0.5, 1)
    small = m < f32(0.707106781186547524)
    m = (m - f32(1)) + np.where(small, m, f32(0))
    e = e - small.astype(f32)
    z = m * m
    y = np.full_like(m, f32(_LOG_P[0]))
    for p in _LOG_P[1:]:
        y = _fma(y, m, f32(p))
    y = _fma(y * m, z, e * f32(-2.12194440e-4))
    y = _fma(z, f32(-0.5), y)
    return _fma(e, f32(0.693359375), m + y)


def _sincos_avx(x):
    """``sincos256_ps``: (sin, cos) of float32 ``x`` by Cephes' reduction to [0, pi/4]."""
    f32 = np.float32
    negative = x < 0
    x = np.abs(x)
    j = (x * f32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f32)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma(y, f32(dp), x)
    sin_negative = negative ^ ((j & 4) != 0)
    cos_negative = (~(j - 2) & 4) != 0
    use_cos_poly = (j & 2) == 0
    z = x * x
    c = _fma(_fma(f32(2.443315711809948e-5), z, f32(-1.388731625493765e-3)), z,
             f32(4.166664568298827e-2))
    c = _fma(c * z, z, -(z * f32(0.5))) + f32(1)
    s = _fma(_fma(f32(-1.9515295891e-4), z, f32(8.3321608736e-3)), z, f32(-1.6666654611e-1))
    s = _fma(s * z, x, x)
    sin = np.where(use_cos_poly, s, c)
    cos = np.where(use_cos_poly, c, s)
    return np.where(sin_negative, -sin, sin), np.where(cos_negative, -cos, cos)
