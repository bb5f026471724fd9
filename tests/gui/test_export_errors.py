"""Exports that cannot be written say so, with the OS's reason, from the menus and the API;
Save session says where it wrote."""

import pytest
from PySide6 import QtWidgets

from gradviz.model.export import ExportError
from tests.gui.conftest import console_text


def choose(monkeypatch, path):
    """The next file dialog answers ``path``."""
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


@pytest.mark.parametrize("ext", ["png", "svg", "dot", "graphml", "json"])
def test_file_export_to_a_missing_folder_is_an_error_with_the_reason(app, tmp_path, monkeypatch,
                                                                     qtlog, ext):
    path = tmp_path / "no-such-folder" / f"graph.{ext}"
    choose(monkeypatch, path)
    app.actions["export"].trigger()
    message = app.message.text()
    assert message.startswith("Export failed") and "No such file or directory" in message
    assert str(path) in message and "exported" not in message
    assert "No such file or directory" in console_text(app)
    error = app.session.last_error
    assert isinstance(error, ExportError) and isinstance(error, OSError)
    assert not path.exists()
    assert not [r for r in qtlog.records if "QPainter" in r.message], "no painter warnings"


def test_export_onto_a_folder_raises_from_the_api(app, tmp_path):
    folder = tmp_path / "graph.svg"
    folder.mkdir()
    with pytest.raises(ExportError, match="Is a directory"):
        app.session.export(folder)


def test_save_image_and_session_errors_carry_the_reason(app, tmp_path, monkeypatch):
    bad = tmp_path / "missing" / "x.png"
    with pytest.raises(ExportError, match="No such file or directory"):
        app.session.save_image(bad)
    choose(monkeypatch, tmp_path / "missing" / "session.json")
    app.actions["save_session"].trigger()
    assert "Save session failed" in app.message.text()
    assert "No such file or directory" in app.message.text()


def test_save_session_says_where_it_wrote(app, tmp_path, monkeypatch):
    path = tmp_path / "mine.json"
    choose(monkeypatch, path)
    app.actions["save_session"].trigger()
    assert path.stat().st_size > 100
    n = app.model.graph.number_of_nodes()
    assert app.message.text() == f"saved session mine.json: {n} nodes, in {tmp_path}"
