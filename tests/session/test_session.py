"""The session (the console's ``app``) driven without Qt: actions, signals, files."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gradviz.session import ActionError, Session

TUTORIAL = ("x = torch.ones(5)\ny = torch.zeros(3)\n"
            "w = torch.randn(5, 3, requires_grad=True)\nb = torch.randn(3, requires_grad=True)\n"
            "z = torch.matmul(x, w) + b\n"
            "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n")


@pytest.fixture
def app():
    session = Session()
    yield session
    session.close()


def node_named(model, name):
    hits = [n for n, d in model.graph.nodes(data=True) if d.get("name") == name]
    assert hits, f"no node named {name!r}"
    return hits[0]


def test_the_session_runs_without_qt():
    code = (
        "import sys\n"
        "from gradviz.session import Session\n"
        "app = Session()\n"
        "assert app.run_source('w = torch.ones(3, requires_grad=True)\\n"
        "s = (w * w).sum()') is None\n"
        "app.select('s'); app.backward()\n"
        "app.zero_grad(); app.detach('s'); app.steps(); app.clear()\n"
        "print(sorted(m for m in ('PySide6', 'shiboken6', 'pyqtgraph', 'gradviz.gui') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_session_is_the_consoles_app(app):
    assert app.namespace["app"] is app
    assert app.namespace["torch"] is app.namespace["gv"]
    assert app.run_source("same = app is app.namespace['app']") is None
    assert app.namespace["same"] is True


def test_run_source_records_and_names(app):
    assert app.run_source(TUTORIAL, "tutorial.py") is None
    names = {d.get("name") for _, d in app.model.graph.nodes(data=True)}
    assert {"w", "b", "z", "loss", "AccumulateGrad"} <= names


def test_select_sets_sel_and_tells_the_views(app):
    app.run_source(TUTORIAL)
    heard = []
    app.selection_changed.connect(lambda nid, center: heard.append((nid, center)))
    status = []
    app.status_changed.connect(lambda text, error: status.append(text))
    assert app.select("w") is None, "the console echoes nothing"
    nid = app.selected
    assert nid == node_named(app.model, "w")
    assert app.namespace["sel"] is app.namespace["w"]
    assert heard == [(nid, True)]
    assert status[-1] == f"sel = w (node {nid})"
    app.select(None)
    assert app.selected is None and app.namespace["sel"] is None
    with pytest.raises(ActionError, match="no console variable named 'nope'"):
        app.select("nope")


def test_backward_from_the_selection_then_the_second_time_raises(app):
    app.run_source(TUTORIAL)
    app.select("loss")
    app.backward()
    w = app.namespace["w"]
    np.testing.assert_allclose(app.model.grad(app.model.node_of(w)), w.grad.numpy())
    assert [e.label for e in app.model.history(app.model.node_of(w))] == ["backward 1"]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        app.backward("loss")
    assert app.guarded("Backward", app.backward, "loss") is None
    assert isinstance(app.last_error, RuntimeError)


def test_guarded_reports_to_status_and_console(app):
    said, written = [], []
    app.status_changed.connect(lambda text, error: said.append((text, error)))
    app.output.connect(lambda text, style: written.append(text))
    failures = []
    app.failed.connect(failures.append)
    app.guarded("Detach", app.detach)  # nothing selected
    assert said[-1] == ("Detach failed: ActionError: Detach: select a tensor node (a leaf or "
                        "an output) first", True)
    assert written == ["# Detach: select a tensor node (a leaf or an output) first\n"]
    assert failures == [app.last_error] and isinstance(app.last_error, ActionError)


def test_zero_grad_and_set_grad_none(app):
    app.run_source(TUTORIAL + "loss.backward()\n")
    app.select("w")
    assert [t is app.namespace["w"] for t in app.zero_grad()] == [True]
    assert np.all(app.namespace["w"].grad.numpy() == 0)
    assert np.abs(app.namespace["b"].grad.numpy()).sum() > 0, "only the selected leaf"
    app.select(None)
    app.zero_grad()
    assert np.all(app.namespace["b"].grad.numpy() == 0)
    app.set_grad_none(["w"])
    assert app.namespace["w"].grad is None
    assert app.model.history(node_named(app.model, "w"))[-1].label == "set to None"


def test_detach_makes_a_console_variable(app):
    app.run_source(TUTORIAL)
    written = []
    app.output.connect(lambda text, style: written.append(text))
    d = app.detach("z")
    assert app.namespace["z_det"] is d and d.grad_fn is None and not d.requires_grad
    assert app.detach("z") is app.namespace["z_det2"]
    assert written[0] == "# z_det = z.detach()\n"
    assert app.model.graph.nodes[node_named(app.model, "z_det")]["detached_from"] == \
        node_named(app.model, "z")


def test_toggle_requires_grad(app):
    app.run_source("w = torch.ones(3, requires_grad=True)")
    app.toggle_requires_grad("w")
    assert app.namespace["w"].requires_grad is False


def test_clear_keeps_the_tensors(app):
    app.run_source(TUTORIAL)
    app.select("w")
    app.clear()
    assert app.model.graph.number_of_nodes() == 0
    assert app.selected is None and app.namespace["sel"] is None
    assert "w" in app.namespace
    app.run_source("again = (w * 2).sum()")
    node_named(app.model, "again")


def test_run_file_that_raises_keeps_what_it_built(app, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("w = torch.ones(2, requires_grad=True)\nh = (w * 3).sum()\n"
                      "print('made h')\nraise ValueError('boom')\n")
    written, ran = [], []
    app.output.connect(lambda text, style: written.append(text))
    app.file_ran.connect(ran.append)
    error = app.run_file(script)
    assert isinstance(error, ValueError) and app.last_error is error
    text = "".join(written)
    assert "made h" in text and "ValueError: boom" in text and "broken.py" in text
    node_named(app.model, "h")
    assert ran == [script]


def test_statement_records_typed_code(app):
    with app.statement():
        exec("q = torch.ones(2, requires_grad=True) * 2", app.namespace)
    node_named(app.model, "q")
    app.no_grad = True
    with app.statement():
        exec("r = q * 2", app.namespace)
    assert app.namespace["r"].requires_grad is False


def test_export_data_formats_without_a_window(app, tmp_path):
    app.run_source(TUTORIAL)
    app.export(tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text())
    assert len(data["nodes"]) == app.model.graph.number_of_nodes()
    assert "MmBackward0" in (app.export(tmp_path / "g.dot")).read_text()
    with pytest.raises(ActionError, match="needs the window"):
        app.export(tmp_path / "g.png")
    drawn = []
    app.draw = lambda model, path: drawn.append(path) or path
    app.export(tmp_path / "g.svg")
    assert drawn == [tmp_path / "g.svg"]
    with pytest.raises(ActionError, match="needs the window"):
        app.save_image(tmp_path / "w.png")


def test_steps_and_step(app):
    with pytest.raises(ActionError, match="no backward"):
        app.step(1)
    app.run_source(TUTORIAL + "loss.backward()\n")
    steps = app.steps()
    assert [s.name for s in steps][:2] == ["BinaryCrossEntropyWithLogitsBackward0",
                                          "AddBackward0"]
    shown = []
    app.show_step = shown.append
    assert app.step(2) is steps[1] and app.step(-1) is steps[-1] and app.step(0) is None
    assert shown == [2, len(steps), 0]
    with pytest.raises(IndexError, match="out of range"):
        app.step(len(steps) + 1)
    app.clear()
    assert app.steps() == []


def test_save_and_load_session(app, tmp_path):
    app.run_source(TUTORIAL)
    path = tmp_path / "s.json"
    app.save_session(path)
    old = app.model
    replaced = []
    app.model_replaced.connect(replaced.append)
    model = app.load_session(path)
    assert replaced == [model] and app.model is model is not old
    assert not old.attached and model.attached
    assert {d.get("name") for _, d in model.graph.nodes(data=True)} >= {"w", "loss"}


@pytest.mark.parametrize("name", ["gradviz.session", "gradviz.session.session",
                                  "gradviz.session.signal", "gradviz.session.array_summary"])
def test_docstring_examples_run(name):
    """The session's ``>>>`` examples run as doctests (it needs no window)."""
    import doctest
    import importlib

    import gradviz

    module = importlib.import_module(name)
    globs = dict(vars(module), torch=gradviz, np=np)
    tests = [t for t in doctest.DocTestFinder(exclude_empty=True).find(module, name, globs=globs)
             if t.examples and t.filename == module.__file__]
    assert tests
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
