"""Shared test setup: Qt runs offscreen, every test starts in grad mode, and the
``oracle`` fixture gives torch (skipping only the comparisons when it is missing)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the windows tests open autosave here, never into the user's data directory
os.environ["GRADVIZ_DATA_DIR"] = __import__("tempfile").mkdtemp(prefix="gradviz-data-")

import functools  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402


@functools.cache
def torch_or_none():
    """torch, imported on first use (tests that never compare never load it), or None."""
    try:
        import torch
    except ImportError:  # the oracle comparisons are skipped, everything else still runs
        return None
    return torch


@pytest.fixture
def oracle():
    """The real torch, as the spec gradviz is compared with."""
    torch = torch_or_none()
    if torch is None:
        pytest.skip("torch (the oracle) is not installed")
    return torch


@pytest.fixture
def maybe_torch():
    """torch, or None when it is not installed: for ``raises_as_torch``'s torch side, which
    is only called when torch is there (the gradviz side always runs)."""
    return torch_or_none()


@pytest.fixture
def libs():
    """The libraries a literal check runs on: gradviz, and torch when it is installed."""
    import gradviz

    torch = torch_or_none()
    return (gradviz,) if torch is None else (gradviz, torch)


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    """A test that leaves grad mode off (or fails inside no_grad) must not leak it."""
    from gradviz.core.autograd.grad_mode import state

    state.enabled = True
    yield
    state.enabled = True


def as_gradviz_text(text: str) -> str:
    """torch's message with gradviz in place of torch in type names (``torch.FloatTensor``,
    ``torch.dtype``); values gradviz prints as torch does (``torch.Size``) stay."""
    return re.sub(r"\btorch\.(\w*Tensor|dtype)\b", r"gradviz.\1", text)


def _builtin_base(exc_type):
    return next(c for c in exc_type.__mro__ if c.__module__ == "builtins")


@pytest.fixture
def raises_as_torch():
    """``raises_as_torch(gradviz_call, ExcType, message, torch_call)``: gradviz raises
    ``ExcType(message)`` exactly; when torch is installed, ``torch_call`` raises the same
    type and message (with torch's type names spelled ``gradviz.``), so the literal is
    torch's own text, not one we made up. ``message=None`` takes torch's message only."""

    def check(gradviz_call, exc_type, message, torch_call=None, *, first_line=False):
        with pytest.raises(exc_type) as got:
            gradviz_call()
        text = str(got.value)
        if first_line:
            text = text.splitlines()[0]
        if message is not None:
            assert text == message
        if torch_call is not None and torch_or_none() is not None:
            with pytest.raises(Exception) as want:
                torch_call()
            assert _builtin_base(type(want.value)) is _builtin_base(exc_type)
            expected = as_gradviz_text(str(want.value))
            if first_line:
                expected = expected.splitlines()[0]
            assert text == expected
        elif message is None:
            pytest.skip("no literal message and torch (the oracle) is not installed")
        return got.value

    return check
