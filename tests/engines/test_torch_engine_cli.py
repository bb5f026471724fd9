"""``--engine torch`` on the command line: ``gradviz render --engine torch`` of the ResNet
and transformer examples (in a subprocess), the app's console offering real torch, and
the message and exit status 2 when torch is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz import cli, engines

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"


def run_gradviz(*args, env=None, timeout=300):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env or {}))
    return subprocess.run([sys.executable, "-m", "gradviz", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("example", ["torch_resnet.py", "torch_transformer.py"])
def test_render_an_example_on_torch_to_png_and_json(tmp_path, example):
    png, data = tmp_path / "graph.png", tmp_path / "graph.json"
    for out in (png, data):
        result = run_gradviz("render", "--engine", "torch", EXAMPLES / example, "-o", out)
        assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    graph = json.loads(data.read_text())
    text = json.dumps(graph)
    assert "AccumulateGrad" in text and "NativeLayerNormBackward0" in text if \
        "transformer" in example else "ConvolutionBackward0" in text


def test_the_app_on_torch_offers_real_torch_in_its_console(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("import torch\nv = torch.ones(4, requires_grad=True)\n"
                      "total = (v * v).sum()\nassert torch.__name__ == 'torch'\n"
                      "assert type(total.grad_fn).__name__ == 'SumBackward0'\n"
                      "assert app.model.node_of(total.grad_fn) is not None\n")
    shot = tmp_path / "window.png"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    result = run_gradviz("--engine", "torch", "--screenshot", shot, script, env=env)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr and shot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv", [["render", "--engine", "torch", "x.py", "-o", "x.png"],
                                  ["--engine", "torch"]])
def test_without_torch_the_command_says_how_to_install_and_exits_2(monkeypatch, capsys, argv,
                                                                   tmp_path):
    script = tmp_path / "x.py"
    script.write_text("pass\n")
    argv = [str(script) if a == "x.py" else str(tmp_path / a) if a == "x.png" else a
            for a in argv]
    monkeypatch.setattr(engines, "_made", {})
    real = engines.importlib.util.find_spec
    monkeypatch.setattr(engines.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "the torch engine needs torch" in err and "pip install 'gradviz[torch]'" in err


def test_the_install_hint_names_a_real_extra():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert extras["torch"] == ["torch>=2.1"]
    assert "pip install 'gradviz[torch]'" in engines.REQUIRES["torch"][1]
