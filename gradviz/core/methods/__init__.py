"""Tensor's methods, bound last: the autograd attributes (``autograd``), operators and math
(``math``), in-place ops (``inplace``) and dtype conversions with the constructor
(``conversions``), random fills (``random``), in-place view ops and unary math
(``inplace_views``), ``new_*`` and ``type_as`` (``construction``),
prod, gather, sort and the other ops of ``tensor_ops``, det, svd, median and the others of
``linalg``, log10, atan2, movedim and the others of ``elementary``. Importing this package
registers them with ``Tensor`` (``gradviz.core.tensors.tensor.register_methods``), in that
order of precedence."""

from gradviz.core.methods.autograd import TensorAutograd
from gradviz.core.methods.construction import TensorConstruction
from gradviz.core.methods.conversions import TensorConversions
from gradviz.core.methods.elementary import TensorElementary
from gradviz.core.methods.inplace import TensorInPlace
from gradviz.core.methods.inplace_views import TensorInPlaceViews
from gradviz.core.methods.linalg import TensorLinalg
from gradviz.core.methods.math import TensorMath
from gradviz.core.methods.picking import TensorPicking
from gradviz.core.methods.random import TensorRandom
from gradviz.core.methods.tensor_ops import TensorOps
from gradviz.core.tensors.tensor import register_methods

register_methods(TensorAutograd, TensorMath, TensorInPlace, TensorConversions, TensorRandom,
                 TensorInPlaceViews, TensorConstruction, TensorOps, TensorLinalg,
                 TensorElementary, TensorPicking)
