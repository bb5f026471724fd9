"""``new_*``, ``type_as``, the legacy tensor types, in-place unary math and in-place view
methods, each program run on torch and on gradviz: printed results, dtypes, grad_fns,
versions and gradients must agree."""

from __future__ import annotations

import pytest

import gradviz

torch = pytest.importorskip("torch")

PROGRAMS = {
    "new_factories": "w = T.ones(2, dtype=T.float64, requires_grad=True)\n"
                     "out = [w.new_ones(2, 3), w.new_zeros((2,)), w.new_full((2,), 3),\n"
                     "       w.new_tensor([1, 2]), w.new_empty(2).shape,\n"
                     "       w.new_ones(2).requires_grad,\n"
                     "       w.new_tensor([1, 2], dtype=T.int64), T.ones(2).new_zeros(1, 2)]",
    "type_as": "w = T.ones(2, dtype=T.float64)\n"
               "x = T.ones(2, requires_grad=True)\n"
               "out = [x.type_as(w), x.type_as(x) is x, T.tensor([1, 2]).type_as(x)]",
    "legacy": "out = [T.FloatTensor([1, 2]), T.LongTensor([1, 2]), T.FloatTensor(2, 3).shape,\n"
              "       T.LongTensor(3).dtype, T.DoubleTensor([1]), T.ByteTensor([1]),\n"
              "       T.BoolTensor([1]), T.IntTensor([1]), isinstance(T.ones(2), T.FloatTensor),\n"
              "       isinstance(T.ones(2).long(), T.FloatTensor), T.ones(2).type()]",
    "unary_inplace": "x = T.tensor([0.3, 1.7, -0.6])\n"
                     "out = [x.clone().sin_(), x.clone().cos_(), x.clone().floor_(),\n"
                     "       x.clone().ceil_(), x.clone().round_(), x.clone().reciprocal_(),\n"
                     "       x.clone().tan_(), x.clone().atan_()]\n"
                     "y = T.ones(2, requires_grad=True) * 0.5\n"
                     "y.sin_(); y.sum().backward(); out += [y, y._version]",
    "view_inplace": "x = T.ones(2, 1, requires_grad=True)\n"
                    "out = []\n"
                    "for f in ['unsqueeze_(0)', 'squeeze_()', 'squeeze_(1)', 't_()',\n"
                    "          'transpose_(0, 1)']:\n"
                    "    y = x * 2\n"
                    "    z = eval('y.' + f)\n"
                    "    (z * T.arange(z.numel()).reshape(z.shape)).sum().backward()\n"
                    "    out += [z is y, y, y._version]\n"
                    "a = T.ones(2, 3); a.t_(); out += [a.shape, a._version]\n"
                    "b = T.zeros(3); b.unsqueeze_(-1); out += [b.shape, x.grad]",
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_as_torch(name):
    printed = []
    for T in (gradviz, torch):
        scope = {"T": T}
        exec(PROGRAMS[name], scope)  # noqa: S102 - our own programs
        printed.append(str(scope["out"]))
    assert printed[0] == printed[1]


def test_inplace_view_of_a_leaf_fails_as_torch():
    for T in (gradviz, torch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            T.ones(2, requires_grad=True).unsqueeze_(0)
