"""A fault corpus (issue 9 section 5): the real window and session driven through well
over 100 failing or hostile steps in a seeded random order. After each step the app
answers (a trivial statement runs), the error is shown, and the model still holds the
graph rebuilt from the live objects (``gradviz.model.from_live``)."""

import random

from gradviz.model.from_live import from_tensors, same_graph
from gradviz.session.targets import user_names
from tests.gui.conftest import console_text, type_and_go_on, type_in

SEED = 20261204
ROUNDS = 9  # each kind of fault this many times: 9 x 14 = 126 steps
PICK = random.Random(SEED + 1)  # the choices inside steps (export targets, actions)


def run(window, qtbot, *statements):
    for cmd in statements:
        type_in(window, cmd)  # then wait for the worker thread to finish it
        qtbot.waitUntil(lambda: not window.session.running, timeout=10_000)


STATEMENTS = {
    "syntax error": ("x = = 2", "SyntaxError"),
    "exception": ("1 / 0", "ZeroDivisionError"),
    "hook raises": ("hw = torch.ones(2, requires_grad=True); "
                    "hw.register_hook(lambda g: 1 / 0); (hw * 2).sum().backward()",
                    "ZeroDivisionError"),
    "repr raises": ("Bad = type('Bad', (), {'__repr__': lambda self: 1 / 0}); Bad()",
                    "ZeroDivisionError"),
    "recursion": ("f = lambda n: f(n + 1); f(0)", "RecursionError"),
    "huge allocation": ("huge = torch.ones(10**13)", "MemoryError"),
    "in-place on a leaf": ("leaf = torch.ones(2, requires_grad=True); leaf.mul_(2)",
                           "RuntimeError"),
    "in-place after save": ("b = torch.ones(2, requires_grad=True) * 1; c = b * b; "
                            "b.add_(1); c.sum().backward()", "RuntimeError"),
}


def statement_step(source, error):
    def step(window, qtbot, tmp):
        run(window, qtbot, source)
        return ("console", error)
    return step


def interrupt_step(window, qtbot, tmp):
    type_and_go_on(window, "while True: spin = 1", "")  # the blank line ends the block
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    assert window.session.interrupt()
    qtbot.waitUntil(lambda: not window.session.running, timeout=10_000)
    return ("console", "KeyboardInterrupt")


def corrupt_session_step(window, qtbot, tmp):
    path = tmp / "corrupt.json"
    path.write_text('{"format": "gradviz-session", "version": 2, "nodes": 5}')
    window.session.guarded("Load session", window.session.load_session, path)
    return ("status", "not a valid gradviz session")


def truncated_session_step(window, qtbot, tmp):
    good = tmp / "good.json"
    window.session.save_session(good)
    text = good.read_text()
    path = tmp / "truncated.json"
    path.write_text(text[: random.Random(len(text)).randrange(1, len(text) - 1)])
    window.session.guarded("Load session", window.session.load_session, path)
    return ("status", "corrupt or truncated")


def bad_export_step(window, qtbot, tmp):
    target = PICK.choice(["/no/such/dir/g.svg", "/no/such/dir/g.png", "/proc/g.dot",
                            str(tmp)])
    window.session.guarded("Export", window.session.export, target)
    return ("status", "Export failed")


def nothing_selected_step(window, qtbot, tmp):
    window.session.select(None)
    window.actions[PICK.choice(["detach", "requires_grad"])].trigger()
    return ("status", "select")


STEPS = [statement_step(s, e) for s, e in STATEMENTS.values()] + [
    interrupt_step, corrupt_session_step, truncated_session_step, bad_export_step,
    nothing_selected_step, statement_step("del not_a_name", "NameError")]


def test_the_app_survives_the_fault_corpus(blank, qtbot, tmp_path):
    window, session = blank, blank.session
    rng = random.Random(SEED)
    plan = [step for step in STEPS for _ in range(ROUNDS)]
    rng.shuffle(plan)
    run(window, qtbot, "w = torch.ones(3, requires_grad=True)", "loss = (w * w).sum()")
    done = 0
    for k, step in enumerate(plan):
        before = console_text(window).count("\n")
        where, error = step(window, qtbot, tmp_path)
        if where == "console":
            shown = "\n".join(console_text(window).split("\n")[before:])
        else:
            shown = window.message.text()
        assert error in shown, (k, step, error, shown[-400:])
        run(window, qtbot, f"answer = {k} + 1")  # the app answers
        assert session.namespace["answer"] == k + 1, (k, step)
        with session.lock:
            rebuilt = from_tensors(user_names(session.namespace))
            problems = same_graph(session.model, rebuilt)
        assert problems == [], (k, step, problems[:5])
        done += 1
    assert done == len(plan) >= 100
    print(f"fault corpus: {done} steps")
