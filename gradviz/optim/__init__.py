"""``gradviz.optim`` (torch.optim's names): ``SGD``, ``Adam``, ``AdamW`` and their base
``Optimizer``.

    >>> opt = torch.optim.Adam(model.parameters(), lr=1e-3)
"""

from gradviz.core.optim import SGD, Adam, AdamW, Optimizer  # noqa: F401
from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
