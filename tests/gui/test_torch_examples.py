"""The torch engine's ResNet and transformer examples in the app: they open collapsed by
module and legible at Fit, expand block by block with every drawn label readable, and
their backward steps through in torch's order."""

from pathlib import Path

import pytest
from PySide6 import QtCore

from tests.gui.conftest import type_in

torch = pytest.importorskip("torch")

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"
# each example's groups, opened one after the other as a user unfolds them
OPENED = {"torch_resnet.py": ["model", "model.block1", "model.block2"],
          "torch_transformer.py": ["model", "model.encoder", "model.encoder.layers",
                                   "model.encoder.layers.0", "model.encoder.layers.1"]}




def open_example(window, name):
    type_in(window, f"app.run_file({str(EXAMPLES / name)!r})")
    assert window.session.last_error is None, window.session.last_error
    window.view.layout_driver.wait(30_000)
    window.view.fit()
    return window.session.model


def legible(view) -> list:
    """The nodes drawn in the frame, after checking every one's label is drawn too."""
    drawn = view.drawn()
    assert drawn["nodes"] and set(drawn["labels"]) == set(drawn["nodes"]), drawn
    return drawn["nodes"]


@pytest.mark.parametrize("name", sorted(OPENED))
def test_an_example_opens_collapsed_legible_at_fit_and_expands_block_by_block(on_torch, name):
    model = open_example(on_torch, name)
    view = on_torch.view
    assert model.collapsed and "PyTorch" in on_torch.windowTitle()
    assert f"torch is torch {torch.__version__}, not gradviz" in \
        on_torch.console.repl.output.toPlainText()
    shown = legible(view)
    assert {"group:" + p for p in model.collapsed if "group:" + p in view.scene.index} <= \
        set(shown), "every collapsed group drawn is in the frame at Fit"
    loss = next(n for n in shown if model.graph.nodes[n].get("name") == "loss")
    assert model.graph.nodes[loss]["kind"] == "tensor"
    for path in OPENED[name]:
        type_in(on_torch, f"app.expand({path!r})")
        assert path not in model.collapsed and path in view.clusters.boxes
        children = [p for p, g in model.groups().items() if g["parent"] == path]
        assert children, f"{path} has sub-modules to open next"
        inside = legible(view)  # show_group brought it into view at a readable scale
        assert any(n == "group:" + c or model.graph.nodes.get(n, {}).get("module", "")
                   .startswith(c) for c in children for n in inside)
    view.fit()
    assert view.drawn()["nodes"]


@pytest.mark.parametrize("name", sorted(OPENED))
def test_an_example_steps_through_backward_in_torchs_order(on_torch, qtbot, name):
    model = open_example(on_torch, name)
    session, stepper, view = on_torch.session, on_torch.stepper, on_torch.view
    steps = session.steps()
    loss = session.namespace["loss"]
    # every grad_fn torch reaches from loss ran once, the first being loss's own
    reached, stack = [], [loss.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is not None and fn not in reached:
            reached.append(fn)
            stack.extend(f for f, _ in fn.next_functions)
    assert steps[0].name == type(loss.grad_fn).__name__ and stepper.steps == steps
    assert sorted(s.name for s in steps) == sorted(type(fn).__name__ for fn in reached)
    on_torch.stepper_dock.show()
    hidden = 0
    for k in range(1, len(steps) + 1):
        qtbot.mouseClick(stepper.next_button, QtCore.Qt.MouseButton.LeftButton)
        step = steps[k - 1]
        assert stepper.position == k and stepper.caption.text() == step.caption
        glowing = view.step_highlight[1]  # the node, or the collapsed group it is in
        assert glowing in view.scene.index and on_torch.inspector.nid == step.nid
        module = model.graph.nodes[step.nid].get("module") or ""
        assert glowing == step.nid or (module + ".").startswith(glowing[len("group:"):] + ".")
        hidden += glowing != step.nid
    assert stepper.position == len(steps) and hidden, "steps inside collapsed groups too"
    assert all(model.graph.nodes[s.nid]["executed"] == s.k for s in steps)


def test_render_collapse_draws_the_modules_at_a_depth_as_one_node_each(tmp_path):
    from gradviz.cli import main
    from gradviz.model.groups_view import collapsed_at

    out = tmp_path / "resnet.png"
    assert main(["render", "--engine", "torch", "--collapse", "1",
                 str(EXAMPLES / "torch_resnet.py"), "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    from gradviz.gui.render import render_script

    model = render_script(EXAMPLES / "torch_resnet.py", tmp_path / "again.png", engine="torch",
                          collapse=1)
    assert model.collapsed == collapsed_at(model.groups(), 1) >= {"model.block1", "model.head"}
    shown = model.shown_graph()
    assert "group:model.block1" in shown and len(shown) < len(model.graph) / 2
