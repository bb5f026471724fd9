"""Statements on the session's worker thread, stopped by ``app.interrupt()`` (no Qt)."""

import sys
import threading
import time

import numpy as np
import pytest

from gradviz.session import Session


@pytest.fixture
def app():
    session = Session()
    yield session
    session.interrupt()
    assert session.runner.wait(5), "a statement is still running: it would run on for good"
    session.close()


def start(app, source):
    """Start ``source`` as a console statement; returns the Event its end sets and the
    list its error is appended to."""
    ended, errors = threading.Event(), []

    def done(error):
        errors.append(error)
        ended.set()

    app.start_statement(compile(source, "<console>", "exec"), source, done)
    return ended, errors


def run(app, source, timeout=10):
    ended, errors = start(app, source)
    assert ended.wait(timeout), f"{source!r} did not finish"
    return errors[0]


def until(predicate, timeout=10):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def until_set(app, name, timeout=10):
    """Wait until the statement has made the threading.Event ``name`` and set it."""
    until(lambda: name in app.namespace and app.namespace[name].is_set(), timeout)


def test_an_infinite_loop_is_interrupted_and_keeps_what_it_built(app):
    ended, errors = start(app, "w = torch.ones(3, requires_grad=True)\nq = (w * 2).sum()\n"
                               "n = 0\nwhile True:\n    n += 1\n")
    until(lambda: app.namespace.get("n", 0) > 1000)
    assert app.running and app.running_job()[0].startswith("w = torch.ones")
    assert app.interrupt() is True
    assert ended.wait(5)
    assert isinstance(errors[0], KeyboardInterrupt)
    assert not app.running
    names = {d.get("name") for _, d in app.model.graph.nodes(data=True)}
    assert {"w", "q", "MulBackward0"} <= names
    assert run(app, "again = q * 3") is None  # the app answers
    assert app.namespace["again"].grad_fn.name() == "MulBackward0"


def test_an_interrupt_between_statements_does_nothing(app):
    assert run(app, "a = 1") is None
    assert app.interrupt() is False
    assert run(app, "b = a + 1") is None and app.namespace["b"] == 2


def test_a_training_loop_is_interrupted(app):
    source = (
        "model = torch.nn.Linear(4, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.01)\n"
        "x = torch.randn(16, 4); y = torch.randn(16, 1)\n"
        "w0 = model.weight.detach().clone()\n"
        "step = 0\n"
        "while True:\n"
        "    opt.zero_grad()\n"
        "    loss = ((model(x) - y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    step += 1\n")
    ended, errors = start(app, source)
    until(lambda: app.namespace.get("step", 0) > 20)
    app.interrupt()
    assert ended.wait(5) and isinstance(errors[0], KeyboardInterrupt)
    ns = app.namespace
    assert not np.allclose(ns["model"].weight.detach().numpy(), ns["w0"].numpy())
    names = {d.get("name") for _, d in app.model.graph.nodes(data=True)}
    assert {"AddmmBackward0", "PowBackward0", "MeanBackward0", "loss", "x"} <= names
    assert run(app, "loss = ((model(x) - y) ** 2).mean(); loss.backward()") is None


def test_an_interrupt_during_backward(app):
    assert run(app, "w = torch.ones(1, requires_grad=True)\nh = w\n"
                    "for _ in range(20000):\n    h = h * 1.0\n") is None
    # the hook runs first in backward (next to the loss), and waits there for the interrupt
    # (a backward of 20,000 nodes can end before it comes): then the rest is still to run
    source = ("import threading, time\nstarted = threading.Event()\n"
              "def hook(g):\n    started.set()\n    time.sleep(5)\n"
              "h.register_hook(hook)\n"
              "loss = (h * h).sum()\nloss.backward()\n")
    ended, errors = start(app, source)
    until_set(app, "started")
    app.interrupt()
    assert ended.wait(10)
    error = errors[0]
    assert isinstance(error, KeyboardInterrupt)
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "backward" in frames, frames
    assert app.namespace["w"].grad is None, "backward stopped before reaching w"
    assert run(app, "v = torch.ones(2, requires_grad=True)\n(v * 3).sum().backward()") is None
    np.testing.assert_allclose(app.namespace["v"].grad.numpy(), [3.0, 3.0])


def test_an_interrupt_that_lands_in_a_finalizer_still_stops_the_statement(app):
    # an interrupt that arrives while a finalizer runs is raised there, and Python prints
    # and drops what a finalizer raises: the runner sends it again. Here it lands in a
    # __del__ that spins until the interrupt has been asked for, then the loop must stop
    source = ("import threading\nentered = threading.Event(); asked = threading.Event()\n"
              "class Dying:\n    def __del__(self):\n        entered.set()\n"
              "        while not asked.is_set():\n            pass\n"
              "Dying()\nafter = 1\nwhile True:\n    pass\n")
    ended, errors = start(app, source)
    until_set(app, "entered")
    assert app.interrupt() is True
    app.namespace["asked"].set()
    assert ended.wait(5), "the interrupt was dropped in the finalizer and not sent again"
    assert isinstance(errors[0], KeyboardInterrupt)
    assert app.namespace["after"] == 1  # the first one did land in __del__


def test_interrupting_a_loop_that_drops_tensors_always_stops_it(app):
    # each pass releases the last pass's tensors: the model hears of it from their weak
    # references, where an interrupt used to get lost now and then (1 in 15 here)
    for attempt in range(40):
        ended, errors = start(app, "while True:\n    a = torch.ones(3, requires_grad=True) * 2\n")
        time.sleep(0.01 + 0.005 * (attempt % 4))
        assert app.interrupt() is True
        assert ended.wait(5), f"attempt {attempt}: the statement did not stop"
        assert isinstance(errors[0], KeyboardInterrupt)


def test_an_interrupt_waits_for_the_outermost_model_event(app):
    # an event can come while the model handles another (a hook's op in a backward): the
    # inner event ends first, and an interrupt asked for then must still wait for the
    # outer one, or it lands halfway through the op's record
    from gradviz.events import BackwardFinished

    runner, outer, inner = app.runner, BackwardFinished((1,)), BackwardFinished((2,))
    inside, asked, steps = threading.Event(), threading.Event(), []

    def job():  # what the model's two subscribers see, around its own, on the worker
        runner._enter_model(outer)
        runner._enter_model(inner)
        runner._leave_model(inner)
        inside.set()
        while not asked.is_set():  # still handling the outer event
            pass
        steps.append("outer handled")
        runner._leave_model(outer)  # the interrupt is raised here
        steps.append("went on")

    ended, errors = threading.Event(), []
    runner.start(job, lambda error: (errors.append(error), ended.set()), "nested events")
    assert inside.wait(5)
    assert app.interrupt() is True
    asked.set()
    assert ended.wait(5)
    assert isinstance(errors[0], KeyboardInterrupt)
    assert steps == ["outer handled"]


def test_a_keyboard_interrupt_raised_in_a_finalizer_without_a_stop_is_left_alone(app):
    # only an interrupt that was asked for is sent again: a finalizer of the user's own
    # that raises KeyboardInterrupt is reported by Python as before, and the code goes on
    seen = []
    hook, sys.unraisablehook = sys.unraisablehook, lambda info: seen.append(info.exc_type)
    try:
        assert run(app, "class Odd:\n    def __del__(self):\n        raise KeyboardInterrupt\n"
                        "Odd()\ngone_on = 1\n") is None
    finally:
        sys.unraisablehook = hook
    assert app.namespace["gone_on"] == 1 and seen == [KeyboardInterrupt]


def test_a_fault_of_gradviz_at_a_statements_end_is_its_error_and_the_next_one_runs(
        app, monkeypatch):
    def broken(names):
        raise RuntimeError("naming the graph failed")

    monkeypatch.setattr(app.model, "set_names", broken)
    error = run(app, "a = torch.ones(2, requires_grad=True) * 3")
    assert isinstance(error, RuntimeError) and "naming the graph failed" in str(error)
    assert not app.running
    monkeypatch.undo()
    assert run(app, "b = a + 1") is None
    assert app.namespace["b"].grad_fn.name() == "AddBackward0"


def test_the_worker_outlives_a_failing_done_callback(monkeypatch):
    from gradviz.session.runner import StatementRunner

    reported = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: reported.append(info[1]))

    def done(error):
        raise ValueError("the caller's callback broke")

    runner = StatementRunner()
    runner.start(lambda: None, done, "first")
    assert runner.wait(5)
    ran = threading.Event()
    runner.start(ran.set, lambda error: None, "second")
    assert ran.wait(5) and runner.wait(5)
    assert [str(e) for e in reported] == ["the caller's callback broke"]


def test_an_interrupt_waits_for_an_import_to_end(app, tmp_path, monkeypatch):
    # a module cut short halfway through its import stays broken (torch imports sympy on a
    # first training step: later steps then met "module 'sympy' has no attribute ...")
    (tmp_path / "gv_sync.py").write_text(
        "import threading\nimporting, asked = threading.Event(), threading.Event()\n")
    (tmp_path / "gv_slow_module.py").write_text(
        "import gv_sync\ngv_sync.importing.set()\n"
        "while not gv_sync.asked.is_set():\n    pass\nLATE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import gv_sync

    ended, errors = start(app, "import gv_slow_module\nafter = 1\nwhile True:\n    pass\n")
    assert gv_sync.importing.wait(5)
    assert app.interrupt() is True  # asked for while the module is being imported
    gv_sync.asked.set()
    assert ended.wait(5) and isinstance(errors[0], KeyboardInterrupt)
    assert app.namespace["gv_slow_module"].LATE == 1 and app.namespace["after"] == 1
    monkeypatch.delitem(sys.modules, "gv_slow_module")
    monkeypatch.delitem(sys.modules, "gv_sync")


def test_a_stop_inside_a_no_grad_block_leaves_grad_mode_as_the_statement_found_it(app):
    # a Stop can land just as ``with torch.no_grad():`` exits, before its __exit__ sets
    # grad mode back: here the block's exit never runs at all
    ended, errors = start(app, "block = torch.no_grad(); block.__enter__()\n"
                               "off = not torch.is_grad_enabled()\nwhile True:\n    pass\n")
    until(lambda: "off" in app.namespace)
    app.interrupt()
    assert ended.wait(5) and isinstance(errors[0], KeyboardInterrupt)
    assert app.namespace["off"] is True
    assert run(app, "on = torch.is_grad_enabled(); q = torch.ones(2, requires_grad=True) * 2") \
        is None
    assert app.namespace["on"] is True and app.namespace["q"].grad_fn is not None
    # a statement that turns grad mode off, and ends, leaves it off (as torch's REPL does)
    assert run(app, "torch.set_grad_enabled(False)") is None
    assert run(app, "still_off = not torch.is_grad_enabled()") is None
    assert app.namespace["still_off"] is True
    assert run(app, "torch.set_grad_enabled(True)") is None


def test_a_stop_as_a_statement_ends_leaves_its_clean_up_whole(app, monkeypatch):
    # after the statement's code, its own clean-up runs (what import torch gave back,
    # output, grad mode): a Stop then finds nothing to stop, and cuts none of it short
    ending, asked, cleaned = threading.Event(), threading.Event(), []
    end = app.model.provenance.end

    def slow_end():  # the first step of the clean-up, spinning where an interrupt would land
        ending.set()
        while not asked.is_set():
            pass
        end()
        cleaned.append(True)

    monkeypatch.setattr(app.model.provenance, "end", slow_end)
    ended, errors = start(app, "x = 1")
    assert ending.wait(5)
    assert app.interrupt() is False
    asked.set()
    assert ended.wait(5) and errors[0] is None and cleaned == [True]
    assert app.namespace["x"] == 1


def test_sleep_is_interrupted(app):
    ended, errors = start(app, "import time\nbefore = 1\ntime.sleep(30)\nafter = 1\n")
    until(lambda: "before" in app.namespace)
    time.sleep(0.1)
    began = time.monotonic()
    app.interrupt()
    assert ended.wait(5) and isinstance(errors[0], KeyboardInterrupt)
    assert time.monotonic() - began < 2
    assert "after" not in app.namespace
    time.sleep(0.01)  # the real sleep is back for everyone
    assert time.sleep.__module__ == "time"


def test_output_arrives_while_the_statement_runs(app):
    seen = []
    app.output.connect(lambda text, style: seen.append(text))
    ended, errors = start(app, "i = 0\nwhile True:\n    print('tick', i)\n    i += 1\n"
                               "    import time; time.sleep(0.01)\n")
    until(lambda: "tick 3\n" in "".join(seen))
    assert app.running, "printed before the statement ended"
    app.interrupt()
    assert ended.wait(5)
    assert isinstance(errors[0], KeyboardInterrupt)


def test_refresh_shows_the_graph_so_far(app):
    changes = []
    app.model.add_listener(changes.append)
    ended, errors = start(app, "w = torch.ones(2, requires_grad=True)\nq = w * 2\n"
                               "import time\nwhile True:\n    time.sleep(0.01)\n")
    until(lambda: "q" in app.namespace)
    assert not changes, "the statement's batch is still open"
    app.refresh()
    assert changes and changes[-1].added
    assert "q" in {d.get("name") for _, d in app.model.graph.nodes(data=True)}
    app.interrupt()
    assert ended.wait(5)


def test_actions_wait_for_the_running_statement(app):
    from gradviz.session import ActionError

    run(app, "w = torch.ones(2, requires_grad=True)\ns = (w * w).sum()")
    ended, errors = start(app, "import time\nwhile True:\n    time.sleep(0.01)\n")
    with pytest.raises(ActionError, match="a statement is running"):
        app.backward("s")
    app.interrupt()
    assert ended.wait(5)
    # a statement may call app itself while it runs
    assert run(app, "app.backward(s); done = w.grad.sum().item()") is None
    assert app.namespace["done"] == 4.0


def test_a_tensor_dying_on_another_thread_never_waits_for_the_model(app):
    """A garbage collection on the GUI thread (or any other) that kills a recorded tensor
    while the worker holds the model (say, importing under it) must not wait for the
    model: that wait deadlocked when the GUI thread held an import lock the worker
    needed. The release is kept in order and shown once the statement ends."""
    assert run(app, "a = torch.ones(2, requires_grad=True) * 2") is None
    nid = app.model.node_of(app.namespace["a"])
    held = [app.namespace.pop("a")]
    ended, errors = start(app, "import threading\ngo = threading.Event()\ngo.wait()\n")
    until(lambda: "go" in app.namespace)
    taken, free = threading.Event(), threading.Event()

    def worker_in_the_model():  # as the worker does inside an event
        app.runner.lock.acquire_for_event()
        taken.set()
        free.wait(10)
        app.runner.lock.release()

    holder = threading.Thread(target=worker_in_the_model)
    holder.start()
    assert taken.wait(5)
    dropped = threading.Event()

    def gui_collects():
        held.pop()  # the last reference: its release is emitted on this thread
        dropped.set()

    threading.Thread(target=gui_collects, daemon=True).start()
    waited = not dropped.wait(3)
    free.set()
    holder.join(5)
    app.namespace["go"].set()
    assert ended.wait(5) and errors == [None]
    assert not waited, "the release waited for the model lock"
    app.model.flush()
    data = app.model.graph.nodes.get(nid)
    assert data is None or data.get("released")  # released: faded or removed
