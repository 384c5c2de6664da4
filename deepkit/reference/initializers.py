"""Weight initializers (mirrors keras/src/initializers/random_initializers.py
and constant_initializers.py).

An initializer is called as ``init(shape, dtype="float32", rng=None)``; ``rng``
is a ``numpy.random.Generator`` (a model passes its own, so a model seed fixes
every weight), else one seeded with the initializer's ``seed`` is used.
Keras draws from TensorFlow's generators, so values differ from Keras's for
the same seed; the distributions are the same.

Fans follow Keras's ``compute_fans``: a 2-D kernel (fan_in, fan_out); an N-D
convolution kernel (..., in_channels, out_channels) multiplies both by the
receptive field size.
"""

import inspect
import math

import numpy as np

from deepkit.reference.optimizers import keras_cast


def compute_fans(shape):
    """(fan_in, fan_out) of a weight of the given shape, as Keras computes them."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """Base class: ``__call__(shape, dtype, rng)`` and a Keras-compatible config."""

    def __call__(self, shape, dtype="float32", rng=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    def to_keras(self):
        import keras

        return getattr(keras.initializers, type(self).__name__)(**self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype="float32", rng=None):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype="float32", rng=None):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Every value equal to ``value``. A Python float reaches ``dtype`` through
    float32, as in Keras (in float64, 0.3 becomes float32(0.3))."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype="float32", rng=None):
        value = self.value
        if type(value) is float:
            value = keras_cast(value, np.dtype(dtype).type)
        return np.full(shape, value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class RandomInitializer(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self, rng):
        return rng if rng is not None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev); Keras's defaults mean=0, stddev=0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype="float32", rng=None):
        return self._rng(rng).normal(self.mean, self.stddev, shape).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomNormal):
    """Normal(mean, stddev) with values beyond 2 stddev redrawn (as Keras)."""

    def __call__(self, shape, dtype="float32", rng=None):
        return truncated_normal(self._rng(rng), self.mean, self.stddev, shape).astype(dtype)


class RandomUniform(RandomInitializer):
    """Uniform(minval, maxval); Keras's defaults -0.05 and 0.05 (the name "uniform")."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype="float32", rng=None):
        return self._rng(rng).uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Variance ``scale / n`` with n = fan_in, fan_out or their mean (``mode``).

    truncated_normal: stddev = sqrt(scale / n) / 0.87962566103423978 (the
    correction for cutting at 2 stddev); untruncated_normal: sqrt(scale / n);
    uniform: limit = sqrt(3 scale / n).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"unknown distribution {distribution!r}")
        super().__init__(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype="float32", rng=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng(rng)
        if self.distribution == "truncated_normal":
            values = truncated_normal(rng, 0.0, math.sqrt(scale) / 0.87962566103423978, shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(dtype)

    def get_config(self):
        if type(self) is not VarianceScaling:
            return super().get_config()
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
        }


class GlorotUniform(VarianceScaling):
    """Uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); Keras's default kernel init."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    """Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796..."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(VarianceScaling):
    """Truncated normal, stddev = sqrt(2 / fan_in) / 0.8796..."""

    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    """Uniform(-limit, limit), limit = sqrt(6 / fan_in)."""

    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class Orthogonal(RandomInitializer):
    """gain * Q, Q orthogonal (Keras's recurrent default; Saxe et al. 2014).

    A normal matrix A of shape (max(rows, cols), min(rows, cols)), rows the
    product of all but the last dimension, is factored A = QR; Q's columns are
    multiplied by sign(diag(R)) (so Q is uniform over orthogonal matrices), and
    Q is transposed when rows < cols, then reshaped to ``shape``.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype="float32", rng=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape of rank >= 2, got shape={tuple(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng(rng).normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


def truncated_normal(rng, mean, stddev, shape):
    """Normal(mean, stddev) samples, those beyond 2 stddev redrawn until none is."""
    values = rng.normal(mean, stddev, shape)
    outside = np.abs(values - mean) > 2 * stddev
    while outside.any():
        values[outside] = rng.normal(mean, stddev, int(outside.sum()))
        outside = np.abs(values - mean) > 2 * stddev
    return values


CLASSES = {
    cls.__name__: cls
    for cls in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        TruncatedNormal,
        RandomUniform,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeNormal,
        HeUniform,
        Orthogonal,
    )
}

ALIASES = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "normal": RandomNormal,
    "random_normal": RandomNormal,
    "uniform": RandomUniform,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "orthogonal": Orthogonal,
}


def get(identifier):
    """An initializer from a Keras name ("glorot_uniform", "uniform", ...), a
    Keras config dict ({"class_name": "RandomNormal", "config": {...}}), or itself."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = ALIASES.get(identifier) or CLASSES.get(identifier)
        if cls is None:
            raise ValueError(
                f"unknown initializer {identifier!r}; choose one of {', '.join(ALIASES)}"
            )
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in CLASSES:
        cls = CLASSES[identifier["class_name"]]
        config = dict(identifier.get("config", {}))
        accepted = inspect.signature(cls.__init__).parameters
        unsupported = [k for k, v in config.items() if k not in accepted and v is not None]
        if unsupported:
            raise ValueError(
                f"initializer {cls.__name__}: the NumPy reference does not implement {', '.join(unsupported)}"
            )
        return cls(**{k: v for k, v in config.items() if k in accepted})
    raise ValueError(f"unknown initializer {identifier!r}")


def serialize(initializer):
    """Keras's config form: {"class_name": ..., "config": {...}}."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
