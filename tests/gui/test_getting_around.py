"""Getting around a graph: show only what feeds a node / what it feeds (and back), hide
constants and released nodes, the dashed link of a detach() result, the minimap."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import type_in
from PySide6 import QtCore, QtWidgets


def named(window, name):
    return window.model.node_of(window.session.namespace[name])


def context_menu(window, nid):
    window._on_context_menu(nid, QtCore.QPoint(0, 0))
    menu = window._menu
    menu.close()
    return {a.text(): a for a in menu.actions() if a.text()}


def test_show_only_what_feeds_a_node_from_its_context_menu_and_back(app, qtbot):
    graph, view = app.model.graph, app.view
    z = named(app, "z")
    context_menu(app, z)["Show only what feeds this node"].trigger()
    drawn = set(view.drawn()["nodes"])
    assert drawn == nx.ancestors(graph, z) | {z}
    assert named(app, "w") in drawn and named(app, "out") not in drawn
    assert "what feeds z" in view.focus_note()
    assert set(view.drawn()["labels"]) == drawn  # fitted: the part fills the view, legible
    assert "Show the whole graph (Esc)" in context_menu(app, None)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Escape)
    assert view.focus is None
    assert set(view.drawn()["nodes"]) == set(graph.nodes)


def test_show_only_what_a_node_feeds(app):
    graph, view = app.model.graph, app.view
    w = named(app, "w")
    context_menu(app, w)["Show only what this node feeds"].trigger()
    drawn = set(view.drawn()["nodes"])
    assert drawn == nx.descendants(graph, w) | {w}
    assert named(app, "z") in drawn and named(app, "b") not in drawn
    with pytest.raises(ValueError, match="direction"):
        view.show_only(w, "up")


def test_a_new_statement_keeps_the_part_shown_and_a_vanished_node_ends_it(app):
    view = app.view
    type_in(app, "q = (w * 2).sum()")
    q = named(app, "q")
    view.show_only(q, "feeds")
    type_in(app, "r = (b * 3).sum()")  # does not feed q: stays hidden
    assert named(app, "r") not in view.drawn()["nodes"]
    app.model.set_release_policy("remove")
    type_in(app, "q = None")
    assert view.focus is None  # q's node is gone: the whole graph again
    assert named(app, "r") in view.drawn()["nodes"]


def test_hide_constants_and_released_nodes_from_the_view_menu(app):
    graph, view = app.model.graph, app.view
    ghosts = {n for n, d in graph.nodes(data=True) if d.get("ghost")}
    released = {n for n, d in graph.nodes(data=True) if d.get("released")}
    assert ghosts and released  # the tutorial's x and y; its reassigned z's graph
    app.actions["hide_constants"].setChecked(True)
    assert not ghosts & set(view.drawn()["nodes"])
    app.actions["hide_released"].setChecked(True)
    assert set(view.drawn()["nodes"]) == set(graph.nodes) - ghosts - released
    app.actions["hide_constants"].setChecked(False)
    app.actions["hide_released"].setChecked(False)
    assert set(view.drawn()["nodes"]) == set(graph.nodes)


def test_a_detached_tensor_has_a_dashed_link_to_its_source(app):
    view = app.view
    z, z_det = named(app, "z"), named(app, "z_det")
    assert app.model.graph.nodes[z_det]["detached_from"] == z
    assert view.detached_links() == [(z, z_det)]
    image = view.grab().toImage()  # painted without error, the link among the edges
    assert not image.isNull()
    view.show_only(z_det, "feeds")  # its source hidden: no link to draw
    assert view.detached_links() == []


def test_the_minimap_shows_where_the_view_is_and_moves_it(app, qtbot):
    view = app.view
    view.fit()
    qtbot.wait(10)
    assert not view.minimap.isVisible()  # the whole graph is on screen
    view.zoom(4.0)
    qtbot.wait(10)
    assert view.minimap.isVisible()
    frame = view.minimap.viewport_rect()
    world = view.visible_world()
    mapped = view.minimap.to_world(frame.center())
    assert abs(mapped.x() - world.center().x()) < 2 / view.minimap.ratio()
    target = view.minimap.rect().center() + QtCore.QPoint(-20, 10)
    qtbot.mouseClick(view.minimap, QtCore.Qt.MouseButton.LeftButton, pos=target)
    centre = view.visible_world().center()
    expected = view.minimap.to_world(QtCore.QPointF(target))
    assert abs(centre.x() - expected.x()) < 2 and abs(centre.y() - expected.y()) < 2
    view.fit()
    qtbot.wait(10)
    assert not view.minimap.isVisible()
    assert isinstance(view.minimap, QtWidgets.QWidget)
