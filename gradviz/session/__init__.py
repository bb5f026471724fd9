"""The app without Qt: the session the console calls ``app``, and what it reads.

    >>> from gradviz.session import Session
    >>> app = Session()
    >>> app.run_source("w = torch.ones(3, requires_grad=True)\\nloss = (w * 2).sum()")
    >>> _ = app.backward("loss")
    >>> [s.name for s in app.steps()]
    ['SumBackward0', 'MulBackward0', 'AccumulateGrad']
    >>> app.close()                           # stops recording

``Session`` (``session.py``) owns the ``GraphModel``, the console namespace and the
actions; ``targets`` finds what an action applies to; ``steps`` reads the last backward
as steps; ``array_summary`` summarizes values for the inspector; ``signal`` is the
notification views subscribe to. Nothing here imports Qt (a test checks it), so all of
it runs and is tested without a display; ``gradviz.gui`` draws it.
"""

from gradviz.session.session import Session
from gradviz.session.signal import Signal
from gradviz.session.steps import Step, backward_steps
from gradviz.session.targets import ActionError, user_names

__all__ = ["ActionError", "Session", "Signal", "Step", "backward_steps", "user_names"]
