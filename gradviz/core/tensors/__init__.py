"""The tensor layer, lowest in core: the ``Tensor`` class (its data side), dtypes, printing,
factories and return types. Imports nothing else of core; the layers above register
themselves with it (``gradviz.core.tensors.tensor.register_methods``)."""
