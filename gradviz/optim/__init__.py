"""``gradviz.optim`` (torch.optim's names): ``SGD``, ``Adam``, ``AdamW`` and their base
``Optimizer``, one a file.

    >>> model = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.Adam(model.parameters(), lr=1e-3)
"""

from gradviz.optim.adam import Adam
from gradviz.optim.adamw import AdamW
from gradviz.optim.optimizer import Optimizer
from gradviz.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
