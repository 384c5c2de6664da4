"""Each layer the NumPy reference hosts, alone at a realistic size: its forward and
backward pass timed against Keras's in the same process.

Every layer is one ``Case``: a Keras layer and the shapes of its inputs (batch
axis left out), at sizes such layers have inside the networks people train
(MNIST and CIFAR convnets, a DCGAN generator, 28-step RNNs, a 512-unit MLP). Each
is wrapped in a one-layer functional ``keras.Model``, and ``from_keras`` makes
its NumPy counterpart with the same weights. One timed pass is, in float32:

- Keras: the layer's outputs and, by ``tf.GradientTape`` with a given upstream
  gradient, the gradients of its inputs and trainable weights, in one
  ``tf.function`` (Keras's own training step is such a graph), traced in a
  warm-up call;
- NumPy: ``_forward(x, training=True)`` then ``_backward(upstream,
  need_input_grad=True)``, the same quantities.

The input gradient is part of both (inside a network a layer passes one down),
except for integer inputs (Embedding's indices). Each side takes one warm-up pass,
then the median of ``repeats`` passes. ``EXCLUDED`` names the registered layers
left out, with the reason; a test checks that the two cover the registry.
"""

from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import InputError, check_int

# Registered layers that are not a layer of their own to time.
EXCLUDED = {"InputLayer": "a model's input, no computation"}


@dataclass(frozen=True)
class Case:
    """One layer to time: ``make()`` returns the Keras layer; ``shapes`` are its
    inputs' shapes without the batch axis (several for a merge layer); integer
    inputs are drawn below ``high``."""

    name: str
    make: object
    shapes: tuple
    integer_high: int = 0

    @property
    def size(self):
        return " + ".join("x".join(map(str, shape)) for shape in self.shapes)


def _cases():
    import keras
    from keras import layers

    from deepkit.models.gan.layers import MinibatchStdDev
    from deepkit.models.tabular.embeddings import PeriodicEmbedding, PiecewiseLinearEncoding
    from deepkit.models.tabular.ensemble import EnsembleAdapter, EnsembleDense

    image, small, feature, steps = (28, 28, 32), (14, 14, 64), (512,), (28, 128)
    edges = [list(np.linspace(-2.0, 2.0, 9))] * 8
    cases = [
        Case("Dense", lambda: layers.Dense(512, activation="relu"), (feature,)),
        Case("Conv2D", lambda: layers.Conv2D(64, 3, padding="same", activation="relu"), (image,)),
        Case("Conv1D", lambda: layers.Conv1D(64, 5, padding="same"), ((100, 32),)),
        Case("Conv2DTranspose", lambda: layers.Conv2DTranspose(64, 4, 2, "same"), ((7, 7, 128),)),
        Case("Conv1DTranspose", lambda: layers.Conv1DTranspose(32, 4, 2, "same"), ((50, 64),)),
        Case("DepthwiseConv2D", lambda: layers.DepthwiseConv2D(3, padding="same"), (image,)),
        Case("SeparableConv2D", lambda: layers.SeparableConv2D(64, 3, padding="same"), (image,)),
        Case("MaxPooling2D", lambda: layers.MaxPooling2D(), (image,)),
        Case("AveragePooling2D", lambda: layers.AveragePooling2D(2), (image,)),
        Case("MaxPooling1D", lambda: layers.MaxPooling1D(), ((100, 64),)),
        Case("AveragePooling1D", lambda: layers.AveragePooling1D(2), ((100, 64),)),
        Case("GlobalAveragePooling2D", layers.GlobalAveragePooling2D, (small,)),
        Case("GlobalMaxPooling2D", layers.GlobalMaxPooling2D, (small,)),
        Case("GlobalAveragePooling1D", layers.GlobalAveragePooling1D, ((100, 64),)),
        Case("GlobalMaxPooling1D", layers.GlobalMaxPooling1D, ((100, 64),)),
        Case("BatchNormalization", layers.BatchNormalization, (image,)),
        Case("LayerNormalization", layers.LayerNormalization, (steps,)),
        Case("Normalization", lambda: layers.Normalization(mean=0.5, variance=0.25), (image,)),
        Case("Rescaling", lambda: layers.Rescaling(1 / 255), (image,)),
        Case("Embedding", lambda: layers.Embedding(10_000, 128), ((100,),), integer_high=10_000),
        Case("LSTM", lambda: layers.LSTM(128), ((28, 28),)),
        Case("GRU", lambda: layers.GRU(128), ((28, 28),)),
        Case("SimpleRNN", lambda: layers.SimpleRNN(128), ((28, 28),)),
        Case("Bidirectional", lambda: layers.Bidirectional(layers.LSTM(64)), ((28, 28),)),
        Case("TimeDistributed", lambda: layers.TimeDistributed(layers.Dense(64)), (steps,)),
        Case("Dropout", lambda: layers.Dropout(0.5), (feature,)),
        Case("SpatialDropout1D", lambda: layers.SpatialDropout1D(0.2), ((100, 64),)),
        Case("SpatialDropout2D", lambda: layers.SpatialDropout2D(0.2), (image,)),
        Case("GaussianNoise", lambda: layers.GaussianNoise(0.1), (image,)),
        Case("GaussianDropout", lambda: layers.GaussianDropout(0.1), (image,)),
        Case("RandomFlip", layers.RandomFlip, (image,)),
        Case("RandomTranslation", lambda: layers.RandomTranslation(0.1, 0.1), (image,)),
        Case("RandomRotation", lambda: layers.RandomRotation(0.1), (image,)),
        Case("RandomZoom", lambda: layers.RandomZoom(0.1), (image,)),
        Case("Activation", lambda: layers.Activation("tanh"), (image,)),
        Case("ReLU", layers.ReLU, (image,)),
        Case("LeakyReLU", layers.LeakyReLU, (image,)),
        Case("PReLU", layers.PReLU, (image,)),
        Case("ELU", layers.ELU, (image,)),
        Case("Softmax", layers.Softmax, ((100, 10),)),
        Case("Flatten", layers.Flatten, (image,)),
        Case("Reshape", lambda: layers.Reshape((784, 32)), (image,)),
        Case("Permute", lambda: layers.Permute((2, 1, 3)), (image,)),
        Case("RepeatVector", lambda: layers.RepeatVector(28), ((128,),)),
        Case("UpSampling2D", layers.UpSampling2D, (small,)),
        Case("UpSampling1D", layers.UpSampling1D, ((100, 64),)),
        Case("ZeroPadding2D", layers.ZeroPadding2D, (image,)),
        Case("ZeroPadding1D", layers.ZeroPadding1D, ((100, 64),)),
        Case("Cropping2D", layers.Cropping2D, (image,)),
        Case("Cropping1D", layers.Cropping1D, ((100, 64),)),
        Case("Add", layers.Add, (image, image)),
        Case("Subtract", layers.Subtract, (image, image)),
        Case("Multiply", layers.Multiply, (image, image)),
        Case("Average", layers.Average, (image, image)),
        Case("Maximum", layers.Maximum, (image, image)),
        Case("Minimum", layers.Minimum, (image, image)),
        Case("Concatenate", layers.Concatenate, (image, image)),
        Case("Dot", lambda: layers.Dot(axes=2), (steps, steps)),
        Case("MinibatchStdDev", MinibatchStdDev, (small,)),
        Case("PeriodicEmbedding", PeriodicEmbedding, ((8,),)),
        Case("PiecewiseLinearEncoding", lambda: PiecewiseLinearEncoding(edges), ((8,),)),
        Case("EnsembleAdapter", lambda: EnsembleAdapter(8, seed=0), ((256,),)),
        Case("EnsembleDense", lambda: EnsembleDense(256), ((8, 256),)),
    ]
    assert keras.backend.floatx() == "float32"
    return {case.name: case for case in cases}


@dataclass
class LayerTiming:
    """One layer's seconds per forward and backward pass, on each engine."""

    name: str
    size: str
    keras_seconds: float
    reference_seconds: float

    @property
    def ratio(self):
        """Keras's time over the reference's (above 1: the reference is faster), as in
        the corpus table."""
        return self.keras_seconds / self.reference_seconds


@dataclass
class LayerTimings:
    """``timings`` (``LayerTiming``s) at batch ``batch``, median of ``repeats``."""

    timings: list
    batch: int
    repeats: int

    def slowest(self):
        """The timing with the smallest Keras/reference ratio."""
        return min(self.timings, key=lambda timing: timing.ratio)

    def report(self):
        rows = [
            [
                t.name,
                t.size,
                f"{1e3 * t.keras_seconds:.2f}",
                f"{1e3 * t.reference_seconds:.2f}",
                f"{t.ratio:.2f}x",
            ]
            for t in self.timings
        ]
        worst = self.slowest()
        return format_grid(
            ["layer", "input (no batch axis)", "Keras ms", "NumPy ms", "Keras/NumPy time"],
            rows,
            title=(
                f"each layer alone, forward and backward, float32, batch {self.batch}, median "
                f"of {self.repeats}; slowest: {worst.name}, {worst.ratio:.2f}x"
            ),
        )


def _inputs(case, batch, rng):
    if case.integer_high:
        return [
            rng.integers(0, case.integer_high, (batch, *s)).astype("int32") for s in case.shapes
        ]
    return [rng.random((batch, *shape), dtype=np.float32) for shape in case.shapes]


def passes(case, batch, seed=0):
    """(Keras's pass, the reference's pass) of ``case`` on the same inputs, upstream
    gradient and weights; each returns the layer's outputs, the input gradients (float
    inputs only), then the trainable weights' gradients, in Keras's order. The outputs
    are returned so that neither side can skip them: a graph that returned gradients only
    would drop what they do not need (GaussianNoise's noise)."""
    import keras
    import tensorflow as tf

    from deepkit.reference import from_keras

    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    dtype = "int32" if case.integer_high else "float32"
    inputs = [keras.Input(shape, dtype=dtype) for shape in case.shapes]
    model = keras.Model(inputs, case.make()(inputs if len(inputs) > 1 else inputs[0]))
    reference = from_keras(model, seed=seed)
    x = _inputs(case, batch, rng)
    upstream = rng.standard_normal((batch, *model.output_shape[1:])).astype("float32")
    tensors = [tf.constant(a) for a in x]
    floats = [] if case.integer_high else tensors

    @tf.function
    def keras_pass():
        with tf.GradientTape() as tape:
            tape.watch(floats)
            outputs = model(tensors if len(tensors) > 1 else tensors[0], training=True)
        grads = tape.gradient(
            outputs, [*floats, *model.trainable_weights], output_gradients=tf.constant(upstream)
        )
        return [outputs, *grads]

    def reference_pass():
        outputs = reference._forward(x if len(x) > 1 else x[0], True)
        grads = reference._backward(upstream, need_input_grad=not case.integer_high)
        input_grads = [] if grads is None else grads if len(x) > 1 else [grads]
        return [outputs, *input_grads, *reference.trainable_gradients]

    return keras_pass, reference_pass


def time_layer(case, batch, repeats, seed=0):
    """``LayerTiming`` of ``case``: both passes, one after the other."""
    from deepkit.benchmarks.timing import median_seconds

    keras_pass, reference_pass = passes(case, batch, seed)
    return LayerTiming(
        case.name,
        case.size,
        median_seconds(keras_pass, repeats),
        median_seconds(reference_pass, repeats),
    )


def benchmark(names=None, batch=32, repeats=5, seed=0):
    """``LayerTimings`` of every case (or those named)."""
    check_int(batch, "batch", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    cases = _cases()
    unknown = sorted(set(names or ()) - set(cases))
    if unknown:
        raise InputError(f"no layer case {', '.join(unknown)}; choose from {', '.join(cases)}")
    chosen = [cases[name] for name in names] if names else list(cases.values())
    return LayerTimings([time_layer(c, batch, repeats, seed) for c in chosen], batch, repeats)
