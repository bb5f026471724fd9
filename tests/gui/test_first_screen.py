"""The first screen as a newcomer sees it: a real-size window, readable labels, and an
invitation that works."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from gradviz.gui.app import START_MESSAGE, App
from gradviz.gui.console import FIRST_TRY, TUTORIAL_TIP, WELCOME
from gradviz.gui.graph_drawing import LABEL_SCALE
from gradviz.gui.theme import DARK, LIGHT
from tests.gui.conftest import console_text, node_named, type_in


def opened(qtbot, size, theme="light"):
    """The window exactly as ``gradviz`` opens it: no test-only fit afterwards."""
    window = App(theme=theme)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # let the docks settle
    return window


def label_pixels(view, nid, monkeypatch) -> int:
    """How many pixels of node ``nid``'s box its label paints (the view drawn with and
    without the label layer, as on screen)."""
    box = QtCore.QRectF(view.to_screen(view.scene.rect(nid).topLeft()),
                        view.to_screen(view.scene.rect(nid).bottomRight())).toRect()
    with_labels = view.grab(box).toImage()
    monkeypatch.setattr(view.scene.labels, "paint", lambda *args: None)
    without = view.grab(box).toImage()
    monkeypatch.undo()
    return sum(with_labels.pixel(x, y) != without.pixel(x, y)
               for x in range(with_labels.width()) for y in range(with_labels.height()))


@pytest.mark.parametrize(("size", "theme"), [((1280, 800), LIGHT), ((1920, 1080), DARK)])
def test_the_first_screen_is_fitted_at_its_real_size_with_labels(qtbot, monkeypatch, size,
                                                                  theme):
    window = opened(qtbot, size, theme.name)
    view = window.view
    assert view.scale >= LABEL_SCALE, f"opened at scale {view.scale:.2f}: labels hidden"
    shown = view.visible_world()
    assert all(shown.contains(view.scene.rect(n)) for n in view.scene.ids), "whole graph"
    loss = node_named(window.model, "loss")
    assert label_pixels(view, loss, monkeypatch) > 30, "the node's name is painted"
    window.close()


def test_the_view_refits_on_resize_until_the_user_zooms(qtbot):
    window = opened(qtbot, (1000, 700))
    view = window.view
    small = view.scale
    window.resize(1800, 1000)
    qtbot.waitUntil(lambda: view.scale > small)
    assert view.follows_window
    view.zoom(1.5)  # the user takes over
    assert not view.follows_window
    zoomed = view.scale
    window.resize(1200, 800)
    qtbot.wait(30)
    assert view.scale == zoomed, "a resize never undoes the user's zoom"
    window.actions["fit"].trigger()
    assert view.follows_window
    window.close()


def test_the_window_fits_the_screen():
    screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
    window = App(theme="light", tutorial=False)
    try:
        assert window.width() <= screen.width() and window.height() <= screen.height()
    finally:
        window.close()
        window.deleteLater()


def test_the_invited_first_action_works(app, qtbot):
    """The welcome and the status bar invite FIRST_TRY and Backward: it must work."""
    assert FIRST_TRY in TUTORIAL_TIP and FIRST_TRY in START_MESSAGE
    assert TUTORIAL_TIP.strip() in console_text(app)  # below the tutorial's output
    assert "loss.backward()" not in START_MESSAGE
    w_grad = app.session.namespace["w"].grad.numpy().copy()
    type_in(app, FIRST_TRY)
    app.session.select("q")
    app.actions["backward"].trigger()
    assert app.session.last_error is None, app.message.text()
    assert "failed" not in app.message.text()
    np.testing.assert_allclose(app.session.namespace["w"].grad.numpy(), w_grad + 2)


def test_a_second_backward_through_loss_is_explained(app):
    app.session.select("loss")
    app.actions["backward"].trigger()
    assert "second time" in app.message.text(), "torch's error, as in PyTorch"
    text = console_text(app)
    assert "Why: backward() frees the saved tensors" in text
    assert "retain graph" in text
    type_in(app, "loss.backward()")  # typed: the same explanation
    assert console_text(app).count("Why: backward() frees") == 2


def test_without_the_tutorial_the_welcome_does_not_speak_of_it(blank):
    text = console_text(blank)
    assert WELCOME.splitlines()[0] in text
    assert "tutorial" not in text and FIRST_TRY not in text
