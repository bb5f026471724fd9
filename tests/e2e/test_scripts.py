"""The benchmark scripts run (at small sizes) and compute what they claim to time."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import gradviz
from gradviz.model.layout import count_crossings, layered

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load(name):
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.fixture(scope="module")
def bench():
    return load("bench")


def test_chain_backward_gives_the_closed_form_gradient(bench):
    forward, backward = bench.chain(gradviz, n=200)
    assert forward > 0 and backward > 0
    x = gradviz.ones(1, requires_grad=True)
    y = x
    for _ in range(200):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 200, rel=1e-5)


def test_mlp_step_matches_the_hand_written_numpy_step(bench):
    """The benchmark compares like with like: gradviz's SGD step and the NumPy reference
    compute the same loss and the same updated parameters."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 784)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    ref = bench._mlp_params(np.random.default_rng(1))
    params = [gradviz.tensor(p.copy(), requires_grad=True) for p in ref]
    loss_np = bench.mlp_step_numpy(ref, x, y)
    loss_gv = bench.mlp_step(gradviz, params, gradviz.tensor(x), gradviz.tensor(y))
    assert loss_gv.item() == pytest.approx(float(loss_np), rel=1e-5)
    for p, r in zip(params, ref, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), r, rtol=1e-4, atol=1e-6)


def test_tutorial_and_many_matmuls_run(bench):
    bench.tutorial(gradviz)
    mats = [(gradviz.randn(16, 16, requires_grad=True), gradviz.randn(16, 16, requires_grad=True))
            for _ in range(5)]
    bench.many_matmuls(gradviz, mats)
    a, b = mats[0]
    np.testing.assert_allclose(a.grad.numpy(), np.ones((16, 16)) @ b.detach().numpy().T,
                               rtol=1e-5)


def test_unknown_section_is_refused(bench):
    with pytest.raises(SystemExit, match="unknown section"):
        bench.main(["nope"])


def test_layout_bench_graphs_are_autograd_shaped_dags():
    bl = load("bench_layout")
    for g in (bl.random_autograd_dag(200, seed=3), bl.mlp_training_graph(3),
              bl.unrolled_rnn(20), bl.attention_graph(1)):
        assert nx.is_directed_acyclic_graph(g) and g.number_of_nodes() > 10
        pos = layered(g)
        assert all(pos[u][1] < pos[v][1] for u, v in g.edges())
        assert count_crossings(g, pos) >= 0


def test_random_bench_times_every_factory_and_finds_torchs_numbers(capsys):
    br = load("bench_random")
    results = br.run(sizes=(5, 40), reps=1)
    assert set(results) == {(name, n) for n in (5, 40) for name, _ in br.cases(gradviz, n)}
    assert all(ours > 0 for ours, _ in results.values())
    if br.torch is not None:  # each line says whether gradviz drew torch's numbers
        lines = capsys.readouterr().out.strip().split("\n")[1:]
        assert len(lines) == len(results) and all(line.endswith("True") for line in lines)


def test_fuzz_script_runs_seeds_and_reports_the_agreement(oracle, capsys):
    """fuzz_vs_torch runs a few seeds, prints the known-mismatch list it steers around and
    the share of programs that agree; --all drops the list (and may find mismatches)."""
    fuzz = load("fuzz_vs_torch")
    status = fuzz.main(["--seeds", "3", "--start", "40"])
    out = capsys.readouterr().out
    assert "known mismatches" in out and "optim_duplicates" in out
    assert re.search(r"\n3/3 programs agree \(100\.00%\)", out), out
    assert status == 0
    fuzz.main(["--seeds", "2", "--all", "--show"])
    out = capsys.readouterr().out
    assert "optim_duplicates" not in out and "# seed 0\na = torch.tensor(" in out
    assert re.search(r"\n\d/2 programs agree", out)


def test_loop_bench_types_the_steps_and_reports_each_checkpoint():
    bench_loop = load("bench_loop")
    rows = bench_loop.typed_loop("latest", (3, 6))
    assert [r["step"] for r in rows] == [3, 6]
    assert [r["runs"] for r in rows] == [3, 6]  # one backward a typed statement
    assert [r["nodes"] for r in rows] == [17, 17]  # the current iteration's graph only
    assert all(r["ms"] > 0 and r["cpu"] >= 0 and r["rss"] > 50 for r in rows)
    fade = bench_loop.typed_loop("fade", (4,))
    assert fade[0]["nodes"] == 17 + 3 * 7  # the policy "latest" is what keeps it flat
