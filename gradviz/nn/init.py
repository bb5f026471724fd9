"""``gradviz.nn.init`` (torch.nn.init's names): fill tensors in place from distributions."""

from gradviz.core.nn_init import (  # noqa: F401
    _calculate_fan_in_and_fan_out,
    calculate_gain,
    constant_,
    eye_,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    ones_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
    zeros_,
)
from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
