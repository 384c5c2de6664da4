"""The base ``Optimizer``: Keras's steps around every update rule (mirrors
keras/src/optimizers/base_optimizer.py).

``optimizer.apply(grads, variables)`` does, in Keras's order:

1. the learning rate: the float, or the schedule at the iteration count t
   (0 on the first update);
2. gradient clipping, at most one of: ``clipnorm`` c, each weight's gradient
   g c / max(||g||, c); ``global_clipnorm`` c, every gradient times
   c min(1 / N, 1 / c) with N the norm of all of them together; ``clipvalue`` c,
   each component clipped to [-c, c];
3. decoupled weight decay: w -= w weight_decay lr, before the update;
4. the update rule of the subclass (``update_step``);
5. with ``use_ema``: a = m a + (1 - m) w with m = ema_momentum (0 at t = 0),
   and w = a every ``ema_overwrite_frequency`` steps;
6. t += 1.

The arithmetic runs in the variables' dtype, in Keras's order of operations,
so float32 results match Keras to rounding. A model hands over its flat
weight and gradient buffers with ``spans``: the (start, end) run of each
trainable weight in each buffer. The update rules are elementwise, so one
update over adjacent runs equals per-weight updates; only ``clipnorm`` needs
each weight's own run. Every step runs in the slots and preallocated scratch
arrays: after the first, it allocates nothing.
"""

import numpy as np

from deepkit.reference.optimizers.casting import keras_cast
from deepkit.reference.optimizers.schedules import LearningRateSchedule
from deepkit.validation import InputError, check_float, check_int

CLIPPING = ("clipnorm", "global_clipnorm", "clipvalue")


def merged(runs):
    """``runs`` ((start, end) pairs in order) with adjacent ones joined."""
    joined = []
    for start, end in runs:
        if joined and joined[-1][1] == start:
            joined[-1] = (joined[-1][0], end)
        elif start < end:
            joined.append((start, end))
    return joined


class Optimizer:
    """Base class: slot arrays per variable, created on the first ``apply``.

    Args:
        learning_rate: a float, or a ``LearningRateSchedule`` called with the
            iteration count.
        weight_decay: if set, w -= w weight_decay lr before each update.
        clipnorm: if set, each weight's gradient is scaled to a norm of at most this.
        clipvalue: if set, each gradient component is clipped to [-clipvalue, clipvalue].
        global_clipnorm: if set, all gradients together are scaled to a norm of
            at most this.
        use_ema: whether to keep an exponential moving average of the weights.
        ema_momentum: the average's momentum.
        ema_overwrite_frequency: if set, the weights become their average every
            this many steps; otherwise only in ``finalize_variable_values``.
    """

    slot_names = ()

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
    ):
        if not isinstance(learning_rate, LearningRateSchedule):
            check_float(learning_rate, "learning_rate", min_value=0)
        self.learning_rate = learning_rate
        if weight_decay is not None:
            check_float(weight_decay, "weight_decay", min_value=0)
        self.weight_decay = weight_decay
        clipping = {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        chosen = [name for name, value in clipping.items() if value is not None]
        if len(chosen) > 1:
            raise InputError(
                f"set at most one of clipnorm, clipvalue, global_clipnorm; got {chosen}"
            )
        for name in chosen:
            check_float(clipping[name], name, min_value=0, include_min=False)
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_float(ema_momentum, "ema_momentum", 0.0, 1.0)
        if ema_overwrite_frequency is not None:
            check_int(ema_overwrite_frequency, "ema_overwrite_frequency", min_value=1)
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.iterations = 0
        self._slots = None

    def build(self, variables):
        self._slots = [
            {name: self._initial_slot(name, v) for name in self.slot_names} for v in variables
        ]
        self._scratch = [(np.empty_like(v), np.empty_like(v)) for v in variables]
        clipping = any(getattr(self, name) is not None for name in CLIPPING)
        self._clipped = [np.empty(v.shape, v.dtype) for v in variables] if clipping else None
        self._averages = [np.zeros_like(v) for v in variables] if self.use_ema else None

    def _initial_slot(self, name, variable):
        return np.zeros_like(variable)

    def current_learning_rate(self):
        """The learning rate of the next update: the schedule at ``iterations``, or the float."""
        if isinstance(self.learning_rate, LearningRateSchedule):
            return self.learning_rate(self.iterations)
        return self.learning_rate

    def apply(self, grads, variables, spans=None):
        """Update each variable in place from its gradient, then count one iteration.

        ``spans[i]``, if given, lists the (start, end) run of each trainable weight
        of flat variable ``i``; the rest, and its slots, stay as they are, as Keras
        leaves a frozen variable and its slots alone. Adjacent runs are updated as
        one; ``clipnorm`` takes each run as one weight.
        """
        if not variables:
            return  # as Keras: no gradients, no iteration
        if self._slots is None:
            self.build(variables)
        runs = [[(0, v.size)] for v in variables] if spans is None else spans
        learning_rate = self.current_learning_rate()
        grads = self._clip_gradients(grads, runs)
        self.begin_step(variables[0].dtype.type, learning_rate)
        for i, (g, v) in enumerate(zip(grads, variables)):
            slots, scratch = self._slots[i], self._scratch[i]
            average = None if self._averages is None else self._averages[i]
            for start, end in merged(runs[i]):
                if (start, end) == (0, v.size):
                    self._step(g, v, learning_rate, slots, scratch, average)
                else:
                    part = slice(start, end)
                    self._step(
                        g[part],
                        v[part],
                        learning_rate,
                        {name: slot[part] for name, slot in slots.items()},
                        tuple(s[part] for s in scratch),
                        None if average is None else average[part],
                    )
        self.iterations += 1

    def _step(self, grad, variable, learning_rate, slots, scratch, average):
        """Weight decay, the update rule and the moving average on one run, in Keras's order."""
        if self.weight_decay is not None:
            self._decay_weights(variable, learning_rate, scratch[0])
        self.update_step(grad, variable, learning_rate, slots, scratch)
        if average is not None:
            self._update_average(variable, average, scratch[0])

    def begin_step(self, dtype, learning_rate):
        """Per-step quantities shared by every variable (Adam's bias correction)."""

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        """Update ``variable`` in place; ``scratch`` is a pair of spare arrays shaped like it."""
        raise NotImplementedError

    # -- the steps around the update rule --------------------------------------

    def _clip_gradients(self, grads, runs):
        """The gradients clipped into preallocated buffers (over ``runs`` only), or
        ``grads`` itself without clipping; the caller's gradients stay untouched."""
        if self._clipped is None:
            return grads
        pieces = [
            (g.reshape(-1)[start:end], out.reshape(-1)[start:end])
            for g, out, weight_runs in zip(grads, self._clipped, runs)
            for start, end in weight_runs
        ]
        if not pieces:
            return self._clipped
        dtype = pieces[0][0].dtype.type
        if self.clipvalue is not None:
            c = dtype(self.clipvalue)
            for g, out in pieces:
                np.clip(g, -c, c, out=out)
        elif self.clipnorm is not None:
            c = dtype(self.clipnorm)
            for g, out in pieces:
                np.multiply(g, c, out=out)
                out /= np.maximum(np.sqrt(np.dot(g, g)), c)
        else:
            norm = np.sqrt(sum(np.dot(g, g) for g, _ in pieces))
            with np.errstate(divide="ignore"):
                scale = self.global_clipnorm * np.minimum(1.0 / norm, 1.0 / self.global_clipnorm)
            scale = scale + (norm - norm)  # NaN when the norm is not finite, as Keras
            for g, out in pieces:
                np.multiply(g, scale, out=out)
        return self._clipped

    def _decay_weights(self, variable, learning_rate, scratch):
        """w -= w weight_decay lr (Keras's order of products)."""
        dtype = variable.dtype.type
        np.multiply(variable, keras_cast(self.weight_decay, dtype), out=scratch)
        scratch *= dtype(learning_rate)
        variable -= scratch

    def _update_average(self, variable, average, scratch):
        """a = m a + (1 - m) w, m = ema_momentum after the first step; then w = a
        every ``ema_overwrite_frequency`` steps."""
        dtype = variable.dtype.type
        m = dtype(self.iterations != 0) * dtype(self.ema_momentum)
        average *= m
        np.multiply(variable, 1 - m, out=scratch)
        average += scratch
        frequency = self.ema_overwrite_frequency
        if frequency and (self.iterations + 1) % frequency == 0:
            variable[...] = average

    def finalize_variable_values(self, variables, spans=None):
        """With ``use_ema``, set the weights to their moving average, as Keras's
        ``fit`` does after its last epoch."""
        if not self.use_ema or self._averages is None:
            return
        runs = [[(0, v.size)] for v in variables] if spans is None else spans
        for v, average, weight_runs in zip(variables, self._averages, runs):
            for start, end in merged(weight_runs):
                v.reshape(-1)[start:end] = average.reshape(-1)[start:end]

    # -- configuration -----------------------------------------------------------

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
        }

    def to_keras(self):
        import keras

        config = self.get_config()
        if isinstance(self.learning_rate, LearningRateSchedule):
            config["learning_rate"] = self.learning_rate.to_keras()
        return getattr(keras.optimizers, type(self).__name__)(**config)
