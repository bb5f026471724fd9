"""gradviz.show() in a real Jupyter kernel (ipykernel through jupyter_client), as a
notebook user runs it: ``%gui qt``, ``w = gradviz.show()``, then cells of their own,
sent one after the other as "Run all" sends them. Qt runs offscreen in the kernel."""

import os
import sys
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")  # the [console] extra
pytest.importorskip("ipykernel")

TIMEOUT = 60  # seconds a cell may take on a loaded 2-core machine


class Kernel:
    """A kernel process and a blocking client; ``run(code)`` returns (status, output)."""

    def __init__(self, tmp_path):
        from jupyter_client.manager import start_new_kernel

        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6",
                   PYTHONPATH=os.getcwd(), GRADVIZ_DATA_DIR=str(tmp_path / "data"),
                   XDG_CONFIG_HOME=str(tmp_path / "config"), IPYTHONDIR=str(tmp_path / "ipy"),
                   JUPYTER_PLATFORM_DIRS="1")
        self.manager, self.client = start_new_kernel(kernel_name="python3", env=env,
                                                     startup_timeout=TIMEOUT)

    def run(self, code: str):
        msg_id = self.client.execute(code)
        out = []
        while True:
            msg = self.client.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "execute_result":
                out.append(content["data"]["text/plain"])
            elif kind == "error":
                out.append("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        reply = self.client.get_shell_msg(timeout=TIMEOUT)
        return reply["content"]["status"], "".join(out)

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path):
    k = Kernel(tmp_path)
    yield k
    k.close()


def ok(kernel, code: str) -> str:
    status, out = kernel.run(code)
    assert status == "ok", out
    return out


def test_show_in_a_jupyter_kernel_follows_the_users_cells(kernel):
    assert ok(kernel, "import sys; print(sys.executable)").strip() == sys.executable
    ok(kernel, "%gui qt")
    # ipykernel's own Qt loop may hold a cell sent right behind %gui qt until another
    # message comes (before gradviz is even imported): a person types the next cell later
    time.sleep(1.0)
    ok(kernel, "import gradviz as torch, gradviz\nwindow = gradviz.show()")
    # cells sent back to back, as Run all sends them, while the Qt loop runs in between
    ok(kernel, "w = torch.ones(3, requires_grad=True)")
    ok(kernel, "loss = (w * 2).sum()")
    ok(kernel, "loss.backward()")
    names = ok(kernel, "g = window.model.graph\n"
                       "print(sorted(d.get('name', '') for _, d in g.nodes(data=True)))")
    for name in ("w", "loss", "MulBackward0", "SumBackward0", "AccumulateGrad"):
        assert f"'{name}'" in names
    grad = ok(kernel, "print(window.model.grad(window.model.node_of(w)).tolist())")
    assert grad.strip() == "[2.0, 2.0, 2.0]"
    # the window is live between cells: its view drew every node of the model
    drawn = ok(kernel, "import time\n"
                       "from PySide6 import QtWidgets\n"
                       "end = time.monotonic() + 20\n"
                       "while len(window.view.scene) != g.number_of_nodes() and "
                       "time.monotonic() < end:\n"
                       "    QtWidgets.QApplication.processEvents(); time.sleep(0.01)\n"
                       "print(len(window.view.scene) == g.number_of_nodes(), window.isVisible())")
    assert drawn.strip() == "True True"
    # the window's own console shares the notebook's variables
    out = ok(kernel, "window.console.run('q = (w * 3).sum()')\n"
                     "print(q.item(), 'q' in {d.get('name') for _, d in g.nodes(data=True)})")
    assert out.split() == ["9.0", "True"]


def test_show_without_gui_magic_starts_the_qt_loop_itself(kernel):
    ok(kernel, "import gradviz as torch, gradviz\nwindow = gradviz.show()")
    ok(kernel, "x = torch.randn(2, 2, requires_grad=True)")
    ok(kernel, "y = x.exp().sum()")
    names = ok(kernel, "print(sorted(d.get('name', '') for _, d in "
                       "window.model.graph.nodes(data=True)))")
    assert "'x'" in names and "'y'" in names and "'ExpBackward0'" in names
    assert ok(kernel, "print(get_ipython().active_eventloop)").strip() == "qt"
