"""``app.view`` typed in the console: the graph view's scripting API from the worker
thread, as the README documents it."""

from conftest import type_in


def test_drawn_typed_in_the_console_is_the_views_frame(app):
    type_in(app, "app.view.fit()", "d = app.view.drawn()")
    d = app.session.namespace["d"]
    assert d == app.view.drawn()
    assert app.model.node_of(app.session.namespace["loss"].grad_fn) in d["nodes"]
    assert set(d["labels"]) == set(d["nodes"])  # the tutorial reads at Fit


def test_show_only_and_show_all_from_the_console(app):
    ns = app.session.namespace
    before = set(app.view.drawn()["nodes"])
    type_in(app, 'app.view.show_only("z", "feeds")')
    shown = set(app.view.shown_graph().nodes)
    z = app.model.node_of(ns["z"].grad_fn)
    loss = app.model.node_of(ns["loss"].grad_fn)
    assert z in shown and loss not in shown and shown < before
    type_in(app, "app.view.show_all()")
    assert loss in set(app.view.shown_graph().nodes)


def test_hiding_constants_from_the_console(app):
    type_in(app, "app.view.hide_constants = True", "h = app.view.hide_constants")
    assert app.view.hide_constants is True and app.session.namespace["h"] is True


def test_a_target_not_in_the_graph_is_an_error_in_the_console(app):
    type_in(app, 'app.view.show_only("nothing_here")')
    assert "no console variable named 'nothing_here'" in str(app.session.last_error)
    assert "<the window's graph view" in repr(app.session.view)
