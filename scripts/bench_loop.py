"""A training loop typed in the app's console: statement time and memory over 1,000 steps.

    python scripts/bench_loop.py               # offscreen, prints the table

``run(report)`` is what ``scripts/bench.py loop`` calls. The app (1400 x 900, no tutorial)
gets a small MLP, then ``opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward();
opt.step()`` typed into its console and Enter pressed, once per step, with the History
dock showing; after each statement the events are processed, so the graph and the plots
are redrawn as a user would see them. Reported at steps 10, 100 and 1,000: the median wall
/ CPU time of the statement (typing to painted, over the 9 steps up to it; CPU time is the
figure to compare on a busy machine), the graph's node
count and the process's resident memory. The release policy "fade" (every released
iteration kept, faded) is measured to 100 steps for comparison.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SETUP = (
    "import gradviz.nn as nn",
    "import gradviz.nn.functional as F",
    "torch.manual_seed(0)",
    "net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))",
    "X = torch.randn(64, 4); Y = torch.randn(64, 1)",
    "opt = torch.optim.SGD(net.parameters(), lr=0.1)",
)
STEP = "opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); opt.step()"
CHECKPOINTS = (10, 100, 1000)


def rss_mb() -> float:
    """The process's resident memory now (not its peak), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def typed_loop(policy: str = "latest", checkpoints=CHECKPOINTS) -> list[dict]:
    """Type the loop into a fresh window; one dict of figures per checkpoint."""
    from PySide6 import QtWidgets

    from gradviz.gui.app import App

    qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    window = App(theme="light", tutorial=False)
    window.resize(1400, 900)
    window.show()
    window.history_dock.raise_()
    window.model.set_release_policy(policy)
    cw = window.console
    for cmd in SETUP:
        cw.repl.input.setText(cmd)
        cw.repl.input.execCmd()
    qapp.processEvents()
    walls, cpus, out = [], [], []
    for step in range(1, max(checkpoints) + 1):
        t, c = time.perf_counter(), time.process_time()
        cw.repl.input.setText(STEP)
        cw.repl.input.execCmd()
        qapp.processEvents()  # drawn: the graph view and the History plots
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        if step in checkpoints:
            out.append({"step": step, "ms": statistics.median(walls[-9:]) * 1e3,
                        "cpu": statistics.median(cpus[-9:]) * 1e3,
                        "nodes": window.model.graph.number_of_nodes(), "rss": rss_mb(),
                        "runs": window.model.backward_runs})
    window.close()
    window.deleteLater()
    qapp.processEvents()
    return out


def run(report, checkpoints=CHECKPOINTS) -> list[dict]:
    rows = typed_loop("latest", checkpoints)
    for r in rows:
        report(f"loop: statement at step {r['step']:,} (typed, drawn)",
               f"{r['ms']:.0f} / {r['cpu']:.0f} ms, {r['nodes']} nodes",
               f"RSS {r['rss']:.0f} MB")
    first, last = rows[0], rows[-1]
    report(f"loop: growth from step {first['step']:,} to {last['step']:,}",
           f"x{last['cpu'] / first['cpu']:.2f} CPU time",
           f"+{last['rss'] - first['rss']:.0f} MB RSS")
    fade = typed_loop("fade", [c for c in checkpoints if c <= 100])
    for r in fade:
        report(f"loop, policy 'fade': statement at step {r['step']:,}",
               f"{r['ms']:.0f} / {r['cpu']:.0f} ms, {r['nodes']} nodes",
               "(every iteration kept, faded)")
    return rows


def main() -> None:
    def report(name, value, reference=""):
        print(f"  {name:<56} {value:>22}   {reference}")

    print("gradviz: a training loop typed in the console (offscreen, 1400 x 900); "
          "times are median wall / CPU")
    run(report)


if __name__ == "__main__":
    main()
