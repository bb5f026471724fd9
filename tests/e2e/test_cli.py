"""The gradviz command in a subprocess: render to every format, failing scripts, the app."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "resources" / "examples" / "tutorial.py"


def gradviz(*args, cwd=None, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "gradviz", *map(str, args)], cwd=cwd or ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("ext", ["png", "svg", "dot", "graphml", "json"])
def test_render_the_tutorial(tmp_path, ext):
    out = tmp_path / f"graph.{ext}"
    result = gradviz("render", TUTORIAL, "-o", out)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    if ext == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
    elif ext == "svg":
        assert b"<svg" in data and b"BinaryCrossEntropy" in data
    elif ext == "dot":
        assert data.startswith(b"digraph") and b"MmBackward0" in data
    elif ext == "graphml":
        assert b"<graphml" in data and b"AccumulateGrad" in data
    else:
        names = {n.get("name") for n in json.loads(data)["nodes"]}
        assert {"w", "b", "loss", "AccumulateGrad"} <= names


def test_render_a_script_that_raises(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import gradviz as torch\nw = torch.ones(2, requires_grad=True)\n"
                      "q = (w * 3).sum()\nraise ValueError('boom at line 4')\n")
    out = tmp_path / "broken.png"
    result = gradviz("render", script, "-o", out)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ValueError: boom at line 4" in result.stderr
    assert 'broken.py", line 4' in result.stderr
    assert "gradviz/cli.py" not in result.stderr, "the traceback starts at the script"
    assert not out.exists()


def test_render_rejects_unknown_formats_and_missing_scripts(tmp_path):
    result = gradviz("render", TUTORIAL, "-o", tmp_path / "graph.bmp")
    assert result.returncode == 2 and "unknown output format" in result.stderr
    result = gradviz("render", tmp_path / "nope.py", "-o", tmp_path / "graph.png")
    assert result.returncode == 2 and "no such script" in result.stderr


def test_app_starts_runs_a_script_and_quits(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("import gradviz as torch\nv = torch.ones(4, requires_grad=True)\n"
                      "total = (v * v).sum()\n")
    shot = tmp_path / "window.png"
    env_home = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env_home)
    result = subprocess.run([sys.executable, "-m", "gradviz", "--screenshot", str(shot),
                             str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_version_and_help():
    result = gradviz("--version")
    assert result.returncode == 0 and result.stdout.startswith("gradviz ")
    result = gradviz("render", "--help")
    assert result.returncode == 0 and "-o OUTPUT" in result.stdout


@pytest.mark.parametrize("ext", ["svg", "png", "dot"])
def test_render_to_an_unwritable_path_fails_with_the_reason(tmp_path, ext):
    out = tmp_path / "no-such-folder" / f"graph.{ext}"
    result = gradviz("render", TUTORIAL, "-o", out)
    assert result.returncode == 1, result.stdout
    assert f"cannot write {out}: No such file or directory" in result.stderr
    assert "raised" not in result.stderr, "the script is not to blame"
    assert "wrote" not in result.stdout and "QPainter" not in result.stderr
    assert not out.exists()


def test_the_app_without_a_display_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "gradviz"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no display: set DISPLAY, or use gradviz render" in result.stderr
    assert "xcb" not in result.stderr and "core dumped" not in result.stderr


def test_render_a_script_written_for_torch(tmp_path):
    script = tmp_path / "mlp.py"
    script.write_text("import torch\nimport torch.nn as nn\nfrom torch.nn import functional as F\n"
                      "net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))\n"
                      "loss = F.mse_loss(net(torch.ones(2, 4)), torch.zeros(2, 1))\n"
                      "loss.backward()\n")
    out = tmp_path / "mlp.dot"
    result = gradviz("render", script, "-o", out)
    assert result.returncode == 0, result.stderr
    assert b"MseLossBackward0" in out.read_bytes() and b"AddmmBackward0" in out.read_bytes()
