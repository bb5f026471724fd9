"""Module groups in the window: 12 residual blocks open collapsed, expand and collapse by
``app``, by double-click and by the Modules panel, with labelled boxes around open groups."""

from pathlib import Path

from PySide6 import QtCore, QtGui

from tests.gui.conftest import type_in

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "residual_mlp.py"


def run_example(window, qtbot):
    window.session.run_file(str(EXAMPLE))
    qtbot.waitUntil(lambda: "net" in window.model.groups(), timeout=20000)
    return window.model


def group_nodes(view):
    return {n for n in view.scene.ids if isinstance(n, str)}


def test_twelve_blocks_open_collapsed_and_expand_by_app(blank, qtbot):
    model = run_example(blank, qtbot)
    view = blank.view
    assert model.collapsed  # too big to read whole at Fit
    assert group_nodes(view) == {"group:" + p for p in model.collapsed}
    type_in(blank, 'app.expand("net")', 'app.expand("net.3")')
    shown = group_nodes(view)
    assert "group:net" not in shown and "group:net.3" not in shown
    assert {f"group:net.{i}" for i in (0, 1, 2, 4, 11)} <= shown
    assert {"net", "net.3"} <= set(view.clusters.boxes)  # boxes around the open groups
    assert view.clusters.labels["net.3"] == "net.3 · Block"
    box = view.clusters.boxes["net.3"]  # the group opened is shown, at a readable scale
    assert view.scale >= 0.75 and view.visible_world().contains(box.topLeft())
    inner = [n for n in view.scene.ids if not isinstance(n, str)
             and model.graph.nodes[n].get("module", "").startswith("net.3")]
    assert inner and all(view.clusters.boxes["net.3"].contains(view.scene.rect(n))
                         for n in inner)
    type_in(blank, 'app.collapse("net.3")')
    assert "group:net.3" in group_nodes(view) and "net.3" not in view.clusters.boxes


def test_double_click_expands_a_group_and_collapses_a_box(blank, qtbot):
    model = run_example(blank, qtbot)
    view = blank.view
    model.expand("net")
    view.fit()
    target = "group:net.5"
    assert target in view.scene.index
    view.focus_on(target)
    at = view.to_screen(view.scene.rect(target).center()).toPoint()
    qtbot.mouseDClick(view, QtCore.Qt.MouseButton.LeftButton, pos=at)
    assert target not in view.scene.index and "net.5" not in model.collapsed
    box = view.clusters.boxes["net.5"]
    view.focus_on(next(n for n in view.scene.ids if not isinstance(n, str)
                       and model.graph.nodes[n].get("module") == "net.5"))
    corner = view.to_screen(box.topLeft() + QtCore.QPointF(4, 4)).toPoint()
    assert view.node_at(corner) is None
    qtbot.mouseDClick(view, QtCore.Qt.MouseButton.LeftButton, pos=corner)
    assert "net.5" in model.collapsed and target in view.scene.index


def test_the_modules_panel_lists_the_tree_and_its_ticks_collapse(blank, qtbot):
    model = run_example(blank, qtbot)
    tree = blank.module_tree
    model.expand("net")
    assert tree.item("net").childCount() == 12
    assert tree.item("net.7").text(0) == "net.7 · Block"
    assert tree.item("net.7").checkState(0) == QtCore.Qt.CheckState.Unchecked
    tree.item("net.7").setCheckState(0, QtCore.Qt.CheckState.Checked)
    assert "net.7" not in model.collapsed
    assert "group:net.7" not in blank.view.scene.index
    tree.item("net.7").setCheckState(0, QtCore.Qt.CheckState.Unchecked)
    assert "group:net.7" in blank.view.scene.index


def test_a_small_graph_opens_expanded(blank):
    type_in(blank, "lin = torch.nn.Linear(3, 2)", "y = lin(torch.ones(1, 3)).sum()")
    model = blank.model
    assert set(model.groups()) == {"lin"} and not model.collapsed
    assert blank.view.clusters.labels["lin"] == "lin · Linear(3→2)"
    names = {d.get("name") for d in model.graph.nodes.values()}
    assert {"lin.weight", "lin.bias"} <= names


def test_an_exported_image_draws_the_groups_as_the_view_does(blank, qtbot, tmp_path):
    from gradviz.gui.render import _scene, render_model
    from gradviz.gui.theme import THEMES

    model = run_example(blank, qtbot)
    model.expand("net")
    model.expand("net.2")
    scene = _scene(model, THEMES["light"])
    assert set(scene.clusters.boxes) == {"net", "net.2"}
    assert "group:net.2.body" in scene.index and "group:net.5" in scene.index
    assert scene.bounds().contains(scene.clusters.boxes["net"])
    out = render_model(model, tmp_path / "groups.png")
    assert out.stat().st_size > 10_000


def test_a_module_called_twice_is_two_boxes_apart_with_labels_that_fit(blank):
    type_in(blank,
            "import torch.nn as nn",
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(1, 2, 3, padding=1)\n"
            "        self.conv2 = nn.Conv2d(2, 2, 3, padding=1)\n"
            "        self.pool = nn.MaxPool2d(2)\n"
            "    def forward(self, x):\n"
            "        return self.pool(self.conv2(self.pool(self.conv1(x))))\n",
            "net = Net()",
            "loss = net(torch.randn(1, 1, 8, 8)).sum()")
    view = blank.view
    blank.model.expand_all()
    boxes = view.clusters.boxes
    assert {"net", "net.pool", "net.pool#2", "net.conv2"} <= set(boxes)
    # the calls are apart: neither box holds the convolution run between them
    for call in ("net.pool", "net.pool#2"):
        assert not boxes[call].intersects(boxes["net.conv2"])
    # a narrow box shows its path (the summary dropped), never a word cut short
    metrics = QtGui.QFontMetricsF(view.clusters._font)
    for path, text in view.clusters.labels.items():
        assert metrics.horizontalAdvance(text) <= boxes[path].width() - 16 + 0.5
        assert text == blank.model.group_label(path) or path.startswith(text.rstrip("…")) \
            or text == path
    assert view.clusters.labels["net.pool#2"] in ("net.pool#2 · MaxPool2d", "net.pool#2")
    type_in(blank, 'app.collapse("net.pool")')
    assert {"group:net.pool", "group:net.pool#2"} <= set(view.scene.ids)


def test_the_modules_panel_lists_numbered_named_and_repeated_children_in_order(blank):
    # two models named ``net`` in turn, both still drawn: net.0 beside net.fc and its calls
    type_in(blank,
            "import torch.nn as nn",
            "net = nn.Sequential(nn.Linear(2, 2)); a = net(torch.ones(1, 2))",
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.fc = nn.Linear(2, 2)\n"
            "    def forward(self, x):\n"
            "        return self.fc(self.fc(x))\n",
            "net = Net(); b = net(torch.ones(1, 2))")
    tree = blank.module_tree
    paths = {"net", "net.0", "net.fc", "net.fc#2"}
    assert paths <= set(blank.model.groups())
    for path in paths:
        assert tree.item(path) is not None, path
    net = tree.item("net")
    children = [net.child(i).data(0, QtCore.Qt.ItemDataRole.UserRole)
                for i in range(net.childCount())]
    assert children == ["net.0", "net.fc", "net.fc#2"]


def test_find_reaches_modules_and_what_collapsed_groups_hide(blank, qtbot):
    model = run_example(blank, qtbot)
    view, bar = blank.view, blank.find_bar
    assert "net" in model.collapsed  # twelve blocks open as one node
    # a parameter inside the collapsed model: found, and the groups around it opened
    hits = bar.search("net.7.body.0.weight")
    assert len(hits) == 1
    w = hits[0]
    assert model.graph.nodes[w]["name"] == "net.7.body.0.weight"
    assert w in view.scene.index and view.selected == w  # drawn now, selected, in view
    assert view.visible_world().contains(view.scene.rect(w).center())
    assert view.scale >= 0.75  # zoomed to read it
    assert "net.7" not in model.collapsed and "group:net.6" in view.scene.index
    # a collapsed module by its path, or by the last part of its path
    hits = bar.search("net.6")  # the module, then its parameters it hides
    assert hits[0] == "group:net.6" and view.scale >= 0.75  # shown, readable
    assert view.visible_world().contains(view.scene.rect("group:net.6").center())
    assert all(model.graph.nodes[h]["name"].startswith("net.6.") for h in hits[1:])
    assert len(hits) == 1 + 4 and bar.hit_texts()[0] == "net.6 · Block  (module, 14 nodes)"
    model.collapse("net.7.body")
    assert bar.search("body")[0] == "group:net.7.body"  # by the last part of its path
    hits = bar.search("weight")  # drawn ones first, then those still inside groups
    drawn = [h for h in hits if h in view.scene.index]
    assert drawn and hits[:len(drawn)] == drawn and len(hits) == 12 * 2
    rows = bar.hit_texts()
    assert len(rows) == len(hits) and any(", in net." in r for r in rows)
