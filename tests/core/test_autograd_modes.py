"""Grad modes, as torch 2.x: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and
``inference_mode`` as context managers, decorators and functions, nested and
restored after exceptions.
"""

from __future__ import annotations

import pytest

import gradviz


# ---------------------------------------------------------------- grad modes
def test_no_grad_context():
    x = gradviz.ones(2, requires_grad=True)
    assert gradviz.is_grad_enabled()
    with gradviz.no_grad():
        assert not gradviz.is_grad_enabled()
        y = x * 2
    assert gradviz.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_nested_grad_modes():
    x = gradviz.ones(2, requires_grad=True)
    with gradviz.no_grad():
        with gradviz.enable_grad():
            assert gradviz.is_grad_enabled()
            y = x * 2
            with gradviz.set_grad_enabled(False):
                z = x * 2
            assert gradviz.is_grad_enabled()
        w = x * 2
        with gradviz.no_grad():
            pass
        assert not gradviz.is_grad_enabled()
    assert (y.requires_grad, z.requires_grad, w.requires_grad) == (True, False, False)
    assert gradviz.is_grad_enabled()


def test_grad_mode_restored_after_exceptions():
    with pytest.raises(KeyError):
        with gradviz.no_grad():
            raise KeyError
    assert gradviz.is_grad_enabled()

    @gradviz.no_grad()
    def fails():
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert gradviz.is_grad_enabled()


def test_grad_mode_decorators():
    x = gradviz.ones(2, requires_grad=True)

    @gradviz.no_grad()
    def off(t):
        """Docstring kept."""
        return t * 2

    @gradviz.no_grad
    def off_bare(t):
        return t * 2

    @gradviz.enable_grad()
    def on(t):
        return t * 2

    @gradviz.enable_grad
    def on_bare(t):
        return t * 2

    @gradviz.set_grad_enabled(False)
    def set_off(t):
        return t * 2

    assert gradviz.is_grad_enabled()  # decorating does not change the mode
    assert not off(x).requires_grad and not off_bare(x).requires_grad
    assert not set_off(x).requires_grad
    assert off.__name__ == "off" and off.__doc__ == "Docstring kept."
    with gradviz.no_grad():
        assert on(x).requires_grad and on_bare(x).requires_grad
    assert gradviz.is_grad_enabled()


def test_set_grad_enabled_as_a_function():
    x = gradviz.ones(2, requires_grad=True)
    gradviz.set_grad_enabled(False)
    try:
        assert not gradviz.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        gradviz.set_grad_enabled(True)
    assert gradviz.is_grad_enabled() and (x * 2).requires_grad
    with gradviz.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_inference_mode():
    x = gradviz.ones(2, requires_grad=True)
    with gradviz.inference_mode():
        assert not (x * 2).requires_grad
    with gradviz.no_grad(), gradviz.inference_mode(False):
        assert not gradviz.is_grad_enabled()  # inference_mode(False) leaves grad mode alone

    @gradviz.inference_mode
    def f(t):
        return t * 2

    assert not f(x).requires_grad and gradviz.is_grad_enabled()


def test_grad_modes_match_torch(libs):
    for lib in libs:
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
        with lib.set_grad_enabled(False):
            c = x * 2
        assert (a.requires_grad, b.requires_grad, c.requires_grad) == (False, True, False)
        assert lib.is_grad_enabled()
