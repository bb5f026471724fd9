"""``gradviz diff A.json B.json -o diff.png`` in a subprocess: two saved sessions compared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6 import QtGui

import gradviz
from gradviz.model import GraphModel
from gradviz.model.export import save_session

ROOT = Path(__file__).resolve().parents[2]


def _session(path, detach: bool):
    model = GraphModel()
    with model.recording():
        x = gradviz.ones(3, requires_grad=True)
        y = x * 2
        if detach:
            y = y.detach().requires_grad_()
        loss = (y * 3).sum()
        loss.backward()
    save_session(model, path)


def test_diff_of_two_sessions_before_and_after_a_detach(tmp_path):
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "diff.png"
    _session(a, detach=False)
    _session(b, detach=True)
    result = subprocess.run([sys.executable, "-m", "gradviz", "diff", str(a), str(b), "-o",
                             str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "added" in result.stdout and "removed" in result.stdout
    assert "wrote" in result.stdout
    image = QtGui.QImage(str(out))
    assert not image.isNull() and image.width() > 200


def test_diff_of_a_missing_session_fails_with_a_message(tmp_path):
    result = subprocess.run([sys.executable, "-m", "gradviz", "diff", str(tmp_path / "no.json"),
                             str(tmp_path / "no2.json"), "-o", str(tmp_path / "d.png")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "gradviz diff:" in result.stderr
