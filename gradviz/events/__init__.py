"""The event vocabulary the autograd core emits, and the dispatcher it emits into.

The core calls ``dispatcher.emit(...)`` only after checking ``dispatcher.active``,
so recording costs one attribute check when nobody listens::

    from gradviz.events import dispatcher, FunctionCreated
    seen = []
    token = dispatcher.subscribe(seen.append)
    ...            # run autograd code
    dispatcher.unsubscribe(token)
"""

from gradviz.events.dispatch import Dispatcher, dispatcher
from gradviz.events.types import (
    BackwardFinished,
    BackwardStarted,
    Detached,
    Event,
    FunctionCreated,
    GradAccumulated,
    GradCleared,
    GradZeroed,
    InplaceChanged,
    NodeExecuted,
    NodesExecuted,
    RequiresGradChanged,
    SavedTensorsFreed,
    TensorCreated,
    TensorReleased,
)

__all__ = [
    "BackwardFinished",
    "BackwardStarted",
    "Detached",
    "Dispatcher",
    "Event",
    "FunctionCreated",
    "GradAccumulated",
    "GradCleared",
    "GradZeroed",
    "InplaceChanged",
    "NodeExecuted",
    "NodesExecuted",
    "RequiresGradChanged",
    "SavedTensorsFreed",
    "TensorCreated",
    "TensorReleased",
    "dispatcher",
]
