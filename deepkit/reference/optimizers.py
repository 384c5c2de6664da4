"""Optimizers with Keras 3's exact update rules (mirror keras/src/optimizers/
sgd.py, adagrad.py, rmsprop.py and adam.py).

``optimizer.apply(grads, variables)`` updates each variable in place, then
counts one iteration. The arithmetic runs in the variables' dtype, in Keras's
order of operations, so float32 results match Keras to rounding. A model
hands over its flat weight and gradient buffers, so one update covers every
weight (the rules are elementwise, so this equals per-weight updates).
"""

import numpy as np

from deepkit.validation import InputError


def keras_cast(value, dtype):
    """A Python float as Keras's ``ops.cast(value, dtype)`` sees it: converted to a
    float32 tensor first, then cast. This matters only in float64, where e.g.
    Adam's beta_2 = 0.999 becomes 0.99900001287... as in Keras."""
    return dtype(np.float32(value))


class Optimizer:
    """Base class: slot arrays per variable, created on the first ``apply``."""

    slot_names = ()

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.iterations = 0
        self._slots = None

    def build(self, variables):
        self._slots = [
            {name: self._initial_slot(name, v) for name in self.slot_names} for v in variables
        ]
        self._scratch = [(np.empty_like(v), np.empty_like(v)) for v in variables]

    def _initial_slot(self, name, variable):
        return np.zeros_like(variable)

    def apply(self, grads, variables, spans=None):
        """Update each variable in place from its gradient, then count one iteration.

        ``spans[i]``, if given, lists the (start, end) runs of flat variable ``i``
        to update (its trainable weights); the rest, and its slots, stay as they
        are, as Keras leaves a frozen variable and its slots alone.
        """
        if self._slots is None:
            self.build(variables)
        for i, (g, v) in enumerate(zip(grads, variables)):
            slots, scratch = self._slots[i], self._scratch[i]
            for start, end in [(0, v.size)] if spans is None else spans[i]:
                if (start, end) == (0, v.size):
                    self.update_step(g, v, slots, scratch)
                else:
                    part = slice(start, end)
                    self.update_step(
                        g[part],
                        v[part],
                        {name: slot[part] for name, slot in slots.items()},
                        tuple(s[part] for s in scratch),
                    )
        self.iterations += 1

    def update_step(self, grad, variable, slots, scratch):
        """Update ``variable`` in place; ``scratch`` is a pair of spare arrays shaped like it."""
        raise NotImplementedError

    def get_config(self):
        return {"learning_rate": self.learning_rate}

    def to_keras(self):
        import keras

        return getattr(keras.optimizers, type(self).__name__)(**self.get_config())


class SGD(Optimizer):
    """Without momentum: w -= lr g.  With momentum: m = momentum m - lr g, then
    w += m, or with nesterov w += momentum m - lr g."""

    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        if not 0 <= momentum <= 1:
            raise InputError(f"momentum must be in [0, 1], got {momentum!r}")
        super().__init__(learning_rate)
        self.momentum, self.nesterov = momentum, nesterov
        if momentum == 0:
            self.slot_names = ()

    def update_step(self, grad, variable, slots, scratch):
        scratch, nesterov_step = scratch
        dtype = variable.dtype.type
        lr = dtype(self.learning_rate)
        np.multiply(grad, lr, out=scratch)  # lr g
        if self.momentum == 0:
            variable -= scratch
            return
        momentum = keras_cast(self.momentum, dtype)
        m = slots["momentum"]
        m *= momentum
        m -= scratch
        if self.nesterov:
            np.multiply(m, momentum, out=nesterov_step)
            nesterov_step -= scratch
            variable += nesterov_step
        else:
            variable += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adagrad(Optimizer):
    """a += g^2;  w -= lr g / sqrt(a + epsilon); a starts at initial_accumulator_value."""

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        super().__init__(learning_rate)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _initial_slot(self, name, variable):
        return np.full_like(
            variable, keras_cast(self.initial_accumulator_value, variable.dtype.type)
        )

    def update_step(self, grad, variable, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        a = slots["accumulator"]
        np.multiply(grad, grad, out=scratch)
        a += scratch
        np.add(a, dtype(self.epsilon), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.multiply(grad, dtype(self.learning_rate), out=step)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "initial_accumulator_value": self.initial_accumulator_value,
        }


class RMSprop(Optimizer):
    """v = rho v + (1 - rho) g^2;  (centered: a = rho a + (1 - rho) g, v - a^2 below)
    step = lr g / sqrt(v + epsilon);  with momentum: m = momentum m + step, w -= m;
    else w -= step."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        super().__init__(learning_rate)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self.slot_names = (
            ("velocity",)
            + (("momentum",) if momentum > 0 else ())
            + (("average_gradient",) if centered else ())
        )

    def update_step(self, grad, variable, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        rho, one_minus_rho = dtype(self.rho), dtype(1 - self.rho)
        v = slots["velocity"]
        v *= rho
        np.multiply(grad, grad, out=scratch)
        scratch *= one_minus_rho
        v += scratch
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            np.multiply(grad, one_minus_rho, out=scratch)
            a += scratch
            np.multiply(a, a, out=scratch)
            np.subtract(v, scratch, out=scratch)
            scratch += dtype(self.epsilon)
        else:
            np.add(v, dtype(self.epsilon), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.multiply(grad, dtype(self.learning_rate), out=step)
        step /= scratch
        if self.momentum > 0:
            m = slots["momentum"]
            m *= dtype(self.momentum)
            m += step
            variable -= m
        else:
            variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adam(Optimizer):
    """With t the 1-based step:
    alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);
    m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
    w -= m alpha / (sqrt(v) + epsilon)   (epsilon outside the square root, added
    to sqrt(v) rather than sqrt(v_hat): Keras's form, with epsilon 1e-7)."""

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def apply(self, grads, variables, spans=None):
        dtype = variables[0].dtype.type
        t = dtype(self.iterations + 1)
        self._alpha = (
            dtype(self.learning_rate)
            * np.sqrt(1 - keras_cast(self.beta_2, dtype) ** t)
            / (1 - keras_cast(self.beta_1, dtype) ** t)
        )
        super().apply(grads, variables, spans)

    def update_step(self, grad, variable, slots, scratch):
        scratch, step = scratch
        # Python floats act in the array's dtype (NumPy's weak scalars), as the
        # Python floats of Keras's update_step do.
        m, v = slots["momentum"], slots["velocity"]
        np.subtract(grad, m, out=scratch)
        scratch *= 1 - self.beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch -= v
        scratch *= 1 - self.beta_2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        np.multiply(m, self._alpha, out=step)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}
CLASSES = {cls.__name__: cls for cls in OPTIMIZERS.values()}


def get(identifier):
    """An optimizer (with Keras's defaults) from a name ("adam", "SGD", ...), or itself."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = OPTIMIZERS.get(identifier.lower())
        if cls is not None:
            return cls()
    raise InputError(f"unknown optimizer {identifier!r}; choose one of {', '.join(CLASSES)}")


_UNSUPPORTED = (
    "weight_decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "use_ema",
    "loss_scale_factor",
    "gradient_accumulation_steps",
)


def from_keras(keras_optimizer):
    """The NumPy reference of a Keras optimizer: same class and hyperparameters, fresh state."""
    name = type(keras_optimizer).__name__
    if name not in CLASSES:
        raise InputError(
            f"no NumPy reference for Keras optimizer {name}; supported: {', '.join(CLASSES)}"
        )
    config = keras_optimizer.get_config()
    used = [key for key in _UNSUPPORTED if config.get(key) not in (None, False)]
    if used:
        raise InputError(
            f"Keras optimizer {name} uses {', '.join(used)}, "
            "which the NumPy reference does not implement"
        )
    if not isinstance(config["learning_rate"], (int, float)):
        raise InputError(
            f"Keras optimizer {name} uses a learning-rate schedule, "
            "which the NumPy reference does not implement"
        )
    if config.get("amsgrad"):
        raise InputError(
            f"Keras optimizer {name} uses amsgrad, which the NumPy reference does not implement"
        )
    cls = CLASSES[name]
    return cls(**{key: config[key] for key in cls().get_config()})
