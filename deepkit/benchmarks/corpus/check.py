"""Each corpus model through ``deepkit.reference.from_keras``: hosted, with how far its
NumPy counterpart is from Keras on one batch, or refused, with the lines of the refusal.

A hosted model is compared on one batch (inference mode, as ``parity.compare``: dropout
and augmentation are random, so the forward pass runs without them) on:

- forward: the outputs;
- loss: ``compute_loss`` (regularization included) against the reference's loss;
- gradients: dLoss/dweight, Keras's by ``tf.GradientTape``;
- step: every weight after each of three optimizer updates, each from that batch's
  gradients in inference mode (a short trajectory; the worst of the three);
- metrics: then ``evaluate``'s loss and every compiled metric, by name (a metric
  logged by one side only counts as infinitely far).

Each quantity's deviation is the largest, over its arrays, of

    max |reference - keras| / max |keras|

(the array's own scale, so a small array is not judged by a large one's).
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from deepkit.parity import keras_float_dtype
from deepkit.validation import InputError

QUANTITIES = ("forward", "loss", "gradients", "step", "metrics")


@dataclass
class Outcome:
    """What ``from_keras`` did with one corpus model.

    Attributes:
        name: the model's key in ``CORPUS``.
        problems: the lines of the refusal; empty when the model is hosted.
        deviations: for a hosted model, each quantity's deviation from Keras.
    """

    name: str
    problems: tuple = ()
    deviations: dict = field(default_factory=dict)

    @property
    def hosted(self):
        return not self.problems


def problem_lines(error):
    """The listed problems of a ``from_keras`` refusal, one per line (the whole message
    when it lists none)."""
    lines = tuple(
        line.removeprefix("  - ") for line in str(error).splitlines() if line.startswith("  - ")
    )
    return lines or (str(error),)


def deviation(ours, theirs):
    """The largest max |ours - theirs| / max |theirs| over pairs of arrays (0 when both
    are 0, inf when only ``ours`` differs from a zero array)."""
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
        diff = np.max(np.abs(a - b), initial=0.0)
        scale = np.max(np.abs(b), initial=0.0)
        worst = max(worst, diff / scale if scale else (math.inf if diff else 0.0))
    return worst


def build(entry, dtype="float64", seed=0):
    """``entry``'s Keras model built in ``dtype`` with the weights of ``seed``; Keras's
    warnings about the sources' older spellings (``input_shape=``) are silenced."""
    import keras

    with keras_float_dtype(dtype), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        keras.utils.set_random_seed(seed)
        return entry.build()


def host(keras_model, seed=0):
    """(the NumPy counterpart, ()) or (None, the lines of the refusal)."""
    from deepkit.reference import from_keras

    try:
        return from_keras(keras_model, seed=seed), ()
    except InputError as error:
        return None, problem_lines(error)


def batch(entry, keras_model, counterpart, n=4, seed=0):
    """(x, y) for one batch of ``n``: normal inputs, distinct word indices for the inputs
    in ``entry.integers``, and targets that suit each output's loss (lists for several
    inputs or outputs)."""
    from deepkit.reference.compile_utils import per_output

    rng = np.random.default_rng(seed)

    def shape(tensor):
        return (n,) + tuple(entry.steps if d is None else d for d in tensor.shape[1:])

    xs = []
    for index, tensor in enumerate(keras_model.inputs):
        size, bound = math.prod(shape(tensor)), entry.integers.get(index)
        if bound is None:
            x = rng.normal(size=shape(tensor))
        elif bound >= size:
            # Distinct: Keras's Adam and RMSprop square an Embedding's sparse gradient
            # row by row, so a repeated index makes Keras's step differ from the dense one.
            x = rng.permutation(bound)[:size].reshape(shape(tensor))
        else:
            x = rng.integers(0, bound, shape(tensor))
        xs.append(x.astype(tensor.dtype))
    losses = per_output(counterpart.loss, counterpart.output_names, "loss")
    ys = []
    for tensor, loss in zip(keras_model.outputs, losses):
        *leading, classes = shape(tensor)
        name = getattr(loss, "name", None)
        if name == "sparse_categorical_crossentropy":
            ys.append(rng.integers(0, classes, leading))
        elif name == "categorical_crossentropy":
            labels = rng.integers(0, classes, leading)
            ys.append(np.eye(classes, dtype=counterpart.dtype)[labels])
        elif name == "binary_crossentropy":
            ys.append((rng.random(shape(tensor)) > 0.5).astype(counterpart.dtype))
        else:
            ys.append(rng.normal(size=shape(tensor)).astype(counterpart.dtype))
    return xs if len(xs) > 1 else xs[0], ys if len(ys) > 1 else ys[0]


def _listed(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def compare(entry, keras_model, counterpart, n=4, seed=0, steps=3):
    """Each quantity's deviation of ``counterpart`` from ``keras_model`` (same weights)
    on one batch; both models take ``steps`` optimizer steps on it."""
    import tensorflow as tf

    x, y = batch(entry, keras_model, counterpart, n, seed)
    with keras_float_dtype(counterpart.dtype):
        deviations = {
            "forward": deviation(_listed(counterpart(x)), _listed(keras_model(x, training=False)))
        }
        for step in range(steps):
            with tf.GradientTape() as tape:
                y_pred = keras_model(x, training=False)
                keras_loss = keras_model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
            keras_grads = tape.gradient(keras_loss, keras_model.trainable_variables)
            loss, grads = counterpart.compute_gradients(x, y, training=False)
            if step == 0:
                deviations["loss"] = deviation([loss], [keras_loss])
                theirs_grads = [tf.convert_to_tensor(g) for g in keras_grads]
                deviations["gradients"] = deviation(grads, theirs_grads)
            keras_model.optimizer.apply_gradients(zip(keras_grads, keras_model.trainable_variables))
            counterpart.apply_gradients()
            worst = deviation(counterpart.get_weights(), keras_model.get_weights())
            deviations["step"] = max(deviations.get("step", 0.0), worst)
        theirs = keras_model.evaluate(x, y, verbose=0, return_dict=True)
        ours = counterpart.evaluate(x, y, verbose=0, return_dict=True)
        deviations["metrics"] = (
            deviation([ours[k] for k in theirs], [theirs[k] for k in theirs])
            if set(ours) == set(theirs)
            else math.inf
        )
    return deviations


def check(entry, dtype="float64", n=4, seed=0):
    """``entry``'s model built in ``dtype`` through ``from_keras``: an ``Outcome``."""
    keras_model = build(entry, dtype, seed)
    counterpart, problems = host(keras_model, seed)
    if problems:
        return Outcome(entry.name, problems)
    return Outcome(entry.name, deviations=compare(entry, keras_model, counterpart, n, seed))
