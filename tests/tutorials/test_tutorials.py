"""Tutorial-style scripts (``scripts/``, modelled on PyTorch's beginner tutorials that need
no download and no GPU) run unchanged with ``torch`` mapped to gradviz and on real torch:
each must finish, and print the same text with the same numbers (to float32 rounding).

To try a script by hand: ``python -c "from gradviz.torch_alias import torch_alias;
exec(...)"`` or run it with ``python`` for torch's output."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from gradviz.torch_alias import torch_alias

pytest.importorskip("torch")

SCRIPTS = sorted((Path(__file__).parent / "scripts").glob("*.py"))
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


def run(path: Path, as_gradviz: bool) -> str:
    out = io.StringIO()
    code = compile(path.read_text(), str(path), "exec")
    with contextlib.redirect_stdout(out):
        if as_gradviz:
            with torch_alias():
                exec(code, {"__name__": "__main__"})  # noqa: S102 - our own scripts
        else:
            exec(code, {"__name__": "__main__"})  # noqa: S102
    return out.getvalue()


def skeleton(text: str) -> tuple[str, list[float]]:
    """The text with every number replaced by ``#``, and the numbers."""
    return NUMBER.sub("#", text), [float(n) for n in NUMBER.findall(text)]


def test_the_corpus_is_there():
    assert {p.stem for p in SCRIPTS} >= {"tensors", "autograd", "nn_training", "cnn",
                                         "data_loading", "save_load", "tensors_in_depth",
                                         "sequence_tagging", "attention_and_linalg",
                                         "autograd_extensions"}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_script_prints_what_torch_prints(path):
    got, want = run(path, as_gradviz=True), run(path, as_gradviz=False)
    got_text, got_numbers = skeleton(got)
    want_text, want_numbers = skeleton(want)
    assert got_text == want_text
    assert len(got_numbers) == len(want_numbers) > 0
    for i, (g, w) in enumerate(zip(got_numbers, want_numbers, strict=True)):
        assert g == pytest.approx(w, rel=1e-4, abs=2e-6), f"number {i}: {g} vs {w}"


def test_skeleton_sees_a_changed_number():
    """The comparison can fail: a different number, or a different word, is caught."""
    a, b = skeleton("loss: 1.375 at epoch 3"), skeleton("loss: 1.475 at epoch 3")
    assert a[0] == b[0] and a[1] != pytest.approx(b[1], rel=1e-4)
    assert skeleton("tensor([1.])")[0] != skeleton("Tensor([1.])")[0]
