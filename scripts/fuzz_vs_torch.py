"""Differential fuzzing of gradviz against torch: run seeded random programs on both and
print each distinct mismatch once, minimised, with the share of programs that agree.

    python scripts/fuzz_vs_torch.py --seeds 10000            # known mismatches steered around
    python scripts/fuzz_vs_torch.py --seeds 10000 --all      # known mismatches drawn too
    python scripts/fuzz_vs_torch.py --start 500 --seeds 1    # one program, printed

Mismatches are grouped by cause signature: the op of the first differing statement and
what differs there (value, grad_fn, exception, ...). For each group the first program
found is shrunk by delta debugging (statements dropped while the same mismatch remains)
and printed with torch's and gradviz's side. Without ``--all`` the generator steers
around the constructs listed in ``tests/fuzz/program.py``'s ``KNOWN_MISMATCHES`` (each
naming the issue item it waits for); the list is printed first, so it stays visible.
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzz.compare import minimise, run_program  # noqa: E402
from fuzz.program import KNOWN_KEYS, KNOWN_MISMATCHES, PRELUDE, generate  # noqa: E402

import gradviz  # noqa: E402


def fuzz(torch, seeds, exclude, *, shrink=True, progress=None):
    """Run ``seeds`` (an iterable of ints); return (programs run, Counter of signatures,
    {signature: (seed, minimised program, its mismatch)})."""
    counts: collections.Counter = collections.Counter()
    first: dict = {}
    n = 0
    for seed in seeds:
        try:
            program = generate(seed, torch, exclude)
            found = run_program(program, torch, gradviz)
        except KeyboardInterrupt:  # Ctrl-C (or SIGINT) ends the run with a report so far
            print(f"  interrupted at seed {seed}", file=sys.stderr)
            break
        n += 1
        if found is not None:
            counts[found.signature] += 1
            if found.signature not in first:
                small = minimise(program, torch, gradviz, found) if shrink else program
                first[found.signature] = (seed, small, run_program(small, torch, gradviz))
                if progress:  # a long run shows each new cause as soon as it is found
                    print(f"  new cause {found.signature} at seed {seed}:\n"
                          f"{small.text()}", file=sys.stderr, flush=True)
        if progress and n % progress == 0:
            bad = sum(counts.values())
            print(f"  ... {n} programs, {n - bad} agree, {len(counts)} causes",
                  file=sys.stderr, flush=True)
    return n, counts, first


def report(n, counts, first, elapsed, exclude, out=print) -> None:
    if counts:
        out("\nPrograms below run after: " + "; ".join(PRELUDE.splitlines()))
    for sig, count in counts.most_common():
        seed, program, found = first[sig]
        out(f"\n=== {count} program(s): first differing op {sig[0]!r}, {sig[1]} "
            f"(first seed {seed}; {found.path or 'statement'})")
        out("\n".join("    " + line for line in program.text().splitlines()))
        out(f"  torch:   {found.reference[:600]}")
        out(f"  gradviz: {found.candidate[:600]}")
    bad = sum(counts.values())
    mode = "known mismatches steered around" if exclude else "all constructs (--all)"
    out(f"\n{n - bad}/{n} programs agree ({100 * (n - bad) / max(n, 1):.2f}%), "
        f"{len(counts)} distinct causes, {mode}, {elapsed:.1f} s "
        f"({1000 * elapsed / max(n, 1):.1f} ms a program)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1000, help="how many programs")
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--all", action="store_true",
                    help="draw the known mismatches too (no exclusions)")
    ap.add_argument("--no-minimise", action="store_true", help="print programs unshrunk")
    ap.add_argument("--show", action="store_true", help="print each program's text")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch (the oracle) is not installed: pip install torch", file=sys.stderr)
        return 2
    exclude = frozenset() if args.all else KNOWN_KEYS
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` reports, like Ctrl-C
    if exclude:
        print(f"Steering around {len(KNOWN_MISMATCHES)} known mismatches (--all to draw them):")
        for k in KNOWN_MISMATCHES:
            print(f"  - {k.key}: {k.what} [{k.waits_for}]")
    seeds = range(args.start, args.start + args.seeds)
    if args.show:
        for seed in seeds:
            print(f"# seed {seed}\n{generate(seed, torch, exclude).text()}\n")
    t0 = time.perf_counter()
    n, counts, first = fuzz(torch, seeds, exclude, shrink=not args.no_minimise,
                            progress=500 if args.seeds >= 2000 else None)
    report(n, counts, first, time.perf_counter() - t0, exclude)
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
