"""Parity between a Keras model and its NumPy reference (``deepkit.reference``).

``compare(keras_model, x, y)`` copies the Keras weights into a NumPy reference model
(``reference.from_keras``), then measures, per layer call and per weight, how far
the NumPy reference is from Keras on:

- forward: the outputs of each layer call (inference mode), in the order Keras
  runs them: a ``Sequential``'s layers one after another, a functional model's
  graph by decreasing depth, a layer called several times (shared weights) once
  per call;
- loss: the loss as Keras's ``fit`` computes it: each output's loss (from the
  logits of a final sigmoid/softmax) times its loss weight, summed, plus the
  regularizers' penalties; with several losses, each output's loss too;
- gradient: dLoss/dweight, Keras side by ``tf.GradientTape`` (a shared layer's
  summed over its calls);
- step: each weight after one optimizer update from the same gradients.

A model with several inputs or outputs takes lists (in the model's order) or dicts
keyed by name for ``x`` and ``y``, as Keras's ``fit`` does. Dropout layers are run
in inference mode for the loss and gradients (their masks are random; the layer
tests inject them instead). Each row reports max |reference - keras| and an
allclose-style error ratio

    max |reference - keras| / (atol + rtol |keras|),   atol = rtol * scale,

where ``scale`` is the largest |keras| value of that quantity across the model. A
row passes when the ratio is at most 1, i.e. ``np.allclose(reference, keras, rtol,
atol)``; ``rtol`` defaults to the dtype's tolerance (TOLERANCE: 1e-7 for float64,
1e-5 for float32). A NaN or infinite value on either side fails its row.
The batch itself is checked first: an empty batch, NaN or inf in ``x`` or ``y``,
arrays of different lengths, or not one array per input and output are refused
with ``InputError``.

The modules, one concept each: ``comparison`` (``compare``), ``nodes`` (the
forward rows: each layer call of the graph, on both sides), ``losses`` (the loss
as Keras computes it), ``batch`` (``check_batch``), ``report`` (``ParityReport``,
``ParityRow``) and ``precision`` (``keras_float_dtype``, ``TOLERANCE``).
"""

from deepkit.parity.batch import check_batch
from deepkit.parity.comparison import compare
from deepkit.parity.precision import TOLERANCE, keras_float_dtype
from deepkit.parity.report import ParityReport, ParityRow

__all__ = [
    "TOLERANCE",
    "ParityReport",
    "ParityRow",
    "check_batch",
    "compare",
    "keras_float_dtype",
]
