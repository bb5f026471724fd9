"""The README's debugging screenshots: the app in a real window, statements typed in its
console, one debugging tool shown.

    ../shared/tools/xshot resources/screenshots/debug_nan.png --size 1280x800 --wait 14 \\
        -- python scripts/screenshot_debug.py nan          # likewise flow, saved, compare

Each scene types its statements into the console one by one (as a user would, each
waiting for the one before), then frames the graph and leaves the window open for
``xshot`` to capture (1280 x 800, the window filling the screen). ``--quit-after S`` prints
the status line and closes it S seconds after the scene (a smoke test).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MLP = (  # written out (no nn.Module), so every node of it is drawn
    "import gradviz.nn.functional as F",
    "torch.manual_seed(3)",
    "w1 = (torch.randn(4, 16) / 2).requires_grad_(); b1 = torch.zeros(16, requires_grad=True)",
    "w2 = (torch.randn(16, 1) / 4).requires_grad_(); b2 = torch.zeros(1, requires_grad=True)",
    "X = torch.randn(64, 4); Y = X.sum(1, keepdim=True) ** 2",
    "opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.01)",
    "for _ in range(40): opt.zero_grad(); loss = F.mse_loss((X @ w1 + b1).relu() @ w2 + b2, "
    "Y); loss.backward(); opt.step()",
    "",
)

SCENES = {
    # a NaN from log of a negative three ops deep, found and selected
    "nan": ((
        "x = torch.tensor([1.0, 2.0], requires_grad=True)",
        "a = x - 3",
        "b = a * 2",
        "c = b.log()",
        "loss = (c.exp() + 1).sum()",
        "app.find_nonfinite()",
    ), "Inspector"),
    # a small MLP trained 40 steps: the flow of its last backward, History per step
    "flow": ((*MLP, "flow = app.show_gradient_flow()", "flow"), "History"),
    # what a two-layer forward saves, per node and in all; the timeline through backward
    "saved": ((
        "x = torch.randn(64, 256)",
        "w1 = torch.randn(256, 128, requires_grad=True)",
        "w2 = torch.randn(128, 10, requires_grad=True)",
        "h = (x @ w1).tanh()",
        "out = (h @ w2).sigmoid()",
        "loss = (out * out).mean()",
        "app.show_saved_bytes()",
        "loss.backward(retain_graph=True)",
        "plot = app.saved_memory_timeline()",
    ), "Inspector"),
    # the detach lesson: a baseline, then a loss whose y * 3 goes through y.detach()
    "compare": ((
        "x = torch.ones(3, requires_grad=True)",
        "y = x * 2",
        "loss = (y * 3).sum()",
        "loss.backward()  # x.grad = 6",
        "app.mark_baseline()",
        "loss = (y.detach() * 3).sum() + (x * 4).sum()",
        "loss.backward()  # x.grad = 6 + 4: nothing came through the detached y",
        "app.compare()",
    ), "Inspector"),
}


def wait_idle(window, qapp) -> None:
    while window.session.running:
        qapp.processEvents()
        time.sleep(0.005)
    qapp.processEvents()


def play(window, qapp, name: str) -> None:
    from PySide6 import QtCore

    statements, dock = SCENES[name]
    for statement in statements:
        window.console.run(statement)
        wait_idle(window, qapp)
    {"Inspector": window.inspector_dock, "History": window.history_dock}[dock].raise_()
    if name == "flow":
        window.history.show_series("dead")
        window.history.pick(window.history.model.runs[-1].number)
        window.view.fit()
    if name == "saved":
        from gradviz.gui.saved_memory_plot import SavedMemoryPlot

        first = min(n for n, d in window.model.graph.nodes(data=True)
                    if d.get("name") == "MmBackward0")
        window.view.select(first)  # the inspector lists what it saved
        for plot in window.findChildren(SavedMemoryPlot):  # over the console's empty part
            plot.resize(690, 235)
            plot.move(window.mapToGlobal(QtCore.QPoint(590, 545)))
    if name == "nan":
        window.view.select(window.model.last_nonfinite.origin, center=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--quit-after", type=float, default=None, metavar="S")
    args = parser.parse_args(argv)
    from PySide6 import QtCore, QtWidgets

    from gradviz.gui.app import App

    qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    window = App(theme="light", tutorial=False, restore=False)
    window.resize(1280, 800)
    window.move(0, 0)
    window.show()

    def done():
        print(window.message.text(), flush=True)  # what the scene ended with
        window.close()
        qapp.quit()

    def scene():
        play(window, qapp, args.scene)
        if args.quit_after is not None:  # counted from the scene's end
            QtCore.QTimer.singleShot(int(args.quit_after * 1000), done)

    QtCore.QTimer.singleShot(300, scene)
    return qapp.exec()


if __name__ == "__main__":
    raise SystemExit(main())
