"""``gradviz.optim`` (torch.optim's names): ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``,
``Adagrad`` and their base ``Optimizer``, one a file; ``lr_scheduler``.

    >>> model = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.Adam(model.parameters(), lr=1e-3)
"""

from gradviz.optim import lr_scheduler
from gradviz.optim.adagrad import Adagrad
from gradviz.optim.adam import Adam
from gradviz.optim.adamw import AdamW
from gradviz.optim.optimizer import Optimizer
from gradviz.optim.rmsprop import RMSprop
from gradviz.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
