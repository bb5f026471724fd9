"""The benchmark scripts run (at small sizes) and compute what they claim to time."""

from __future__ import annotations

import importlib.util
import re
import shutil
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
    steered = fuzz.KNOWN_MISMATCHES[0].key if fuzz.KNOWN_MISMATCHES else None
    assert steered is None or ("known mismatches" in out and f"- {steered}:" in out)
    assert re.search(r"\n3/3 programs agree \(100\.00%\)", out), out
    assert status == 0
    fuzz.main(["--seeds", "2", "--all", "--show"])
    out = capsys.readouterr().out
    assert "known mismatches" not in out and "# seed 0\na = torch.tensor(" in out
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


def test_debug_bench_reports_every_tool_at_a_small_size(monkeypatch):
    bench_debug = load("bench_debug")
    for name, value in (("N_OPS", 300), ("REPS", 1), ("NODES", 400), ("BIG", 300_000)):
        monkeypatch.setattr(bench_debug, name, value)
    rows = []
    bench_debug.run(lambda name, value, reference="": rows.append((name, value, reference)))
    text = "\n".join(" | ".join(row) for row in rows)
    assert "chain of 300 ops recorded, where each node came from" in text
    assert "find_nonfinite, an Inf in 300,000 float32" in text
    assert "track_flow" in text
    assert "finds ('<console>', 1, 1)" in text  # the walk timed is the one that works
    for action in ("Find NaN", "Gradient flow on", "Saved bytes on", "Compare with baseline"):
        (row,) = [r for r in rows if action in r[0]]
        assert row[1].endswith(" ms") and "1:1" in row[2]
    (gui,) = [r for r in rows if r[0].startswith("gui at ")]
    assert int(gui[0].split()[2].replace(",", "")) >= 400  # the graph was grown to size


@pytest.mark.parametrize("scene, said", [
    ("nan", "NaN/Inf first appears in the forward output of LogBackward0 (statement 4"),
    ("compare", "largest difference 4 in grad of x"),
])
def test_the_debug_screenshot_scenes_play(scene, said, tmp_path):
    import os
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(SCRIPTS.parent),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, str(SCRIPTS / "screenshot_debug.py"), scene,
                           "--quit-after", "0.5"], capture_output=True, text=True, env=env,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert said in done.stdout


def test_layout_bench_compares_with_dot_over_seeds():
    bl = load("bench_layout")
    rows = bl.versus_dot(use_dot=False, versus={60: range(2)})
    (n, seeds, t, c, dt, dc, ratio, tratio, late), = rows
    assert (n, seeds, dt, ratio, late) == (60, 2, None, None, 0) and t > 0 and c >= 0
    assert bl._fmt_versus(rows[0])[2] == "dot not run"
    if shutil.which("dot"):  # with graphviz installed: dot's figures and the ratios
        (_, _, _, c, dt, dc, ratio, tratio, _), = bl.versus_dot(versus={60: range(2)})
        assert dt > 0 and tratio > 0 and dc > 0 and 0.2 < ratio < 5


def test_layout_bench_phases_add_up_and_leave_the_layout_as_it_was():
    import gradviz.model._layout_rank as rank
    import gradviz.model.layout as lay

    before = (lay.assign_layers, rank.tighten, lay.assign_x, lay.Proper.__init__,
              lay.Proper.minimize)
    bl = load("bench_layout")
    row = bl.phases(sizes=(80,), seeds=range(2))[80]
    steps = ("ranks", "x placement", "proper graph", "ordering")
    assert all(row[s] > 0 for s in steps)
    assert row["rest"] >= 0  # the steps, timed apart, fit in the whole (none counted twice)
    assert 0 < row["of which network simplex"] <= row["ranks"]
    assert (lay.assign_layers, rank.tighten, lay.assign_x, lay.Proper.__init__,
            lay.Proper.minimize) == before  # the wrappers are gone
