"""``torch.nn.utils``: gradient clipping (``clip_grad_norm_``, ``clip_grad_value_``) and
``parameters_to_vector`` / ``vector_to_parameters``."""

from gradviz.nn.utils import rnn
from gradviz.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from gradviz.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "rnn", "vector_to_parameters"]
