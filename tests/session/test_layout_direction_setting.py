"""The layout direction as a model setting: validated, announced, in DOT and sessions."""

import json

import pytest

import gradviz as torch
from gradviz.model import GraphModel, export
from gradviz.model.export import SessionError
from gradviz.model.layout_direction import DIRECTIONS, layout_direction, set_layout_direction


def small_model():
    model = GraphModel()
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        loss = (w * 3).sum()
    return model, (w, loss)


def test_set_validates_and_tells_the_listeners_once():
    model, _keep = small_model()
    heard = []
    model.add_listener(heard.append)
    assert layout_direction(model) == "top-down" == DIRECTIONS[0]
    with pytest.raises(ValueError, match="layout direction must be one of"):
        set_layout_direction(model, "bottom-up")
    set_layout_direction(model, "left-right")
    set_layout_direction(model, "left-right")  # no change: nobody is told
    assert layout_direction(model) == "left-right" and len(heard) == 1


def test_dot_export_says_rankdir_lr_only_left_to_right():
    model, _keep = small_model()
    assert "rankdir" not in export.to_dot(model)
    set_layout_direction(model, "left-right")
    assert 'graph [size="12,12" rankdir=LR]' in export.to_dot(model)


def test_sessions_keep_the_direction_and_reject_an_unknown_one(tmp_path):
    model, _keep = small_model()
    set_layout_direction(model, "left-right")
    path = tmp_path / "s.json"
    export.save_session(model, path)
    loaded = export.load_session(path)
    assert layout_direction(loaded) == "left-right"
    assert sorted(loaded.positions().values()) == sorted(model.positions().values())
    data = json.loads(path.read_text())
    del data["layout_direction"]  # a session saved before the setting existed
    assert layout_direction(export.session_from_dict(data)) == "top-down"
    data["layout_direction"] = "diagonal"
    with pytest.raises(SessionError, match="diagonal"):
        export.session_from_dict(data)


def test_the_console_app_sets_it_without_a_window():
    from gradviz.session import Session

    app = Session()
    try:
        app.run_source("app.layout_direction = 'left-right'")
        assert app.layout_direction == "left-right" == layout_direction(app.model)
    finally:
        app.close()
