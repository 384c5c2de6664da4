"""The NumPy reference's models (mirror keras/src/models/): ``Model``, a graph of layers
(the functional API), and ``Sequential``, the chain; ``from_keras`` and ``to_keras``
carry models across.

- ``functional.py``: ``Model``, its structure, data checks and the passes' entry points;
- ``graph.py``: the graph's topological order and the forward and backward passes;
- ``weights.py``: the weights, packed into flat buffers;
- ``sequential.py``: ``Sequential``;
- ``conversion.py``: the Keras bridge in (``from_keras``);
- ``export.py``: the Keras bridge out (``to_keras``).
"""

from deepkit.reference.models.conversion import from_keras
from deepkit.reference.models.export import to_keras
from deepkit.reference.models.functional import Model
from deepkit.reference.models.sequential import Sequential

__all__ = ["Model", "Sequential", "from_keras", "to_keras"]
