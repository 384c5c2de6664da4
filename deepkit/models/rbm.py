"""Bernoulli-Bernoulli restricted Boltzmann machine as a Keras model, trained
by CD-k or persistent CD with its own ``train_step`` (same formulas, names and
order of random numbers as the NumPy reference ``deepkit.reference.rbm``, whose
module docstring gives the maths).

    rbm = RBM(784, 500, k=1, weight_decay=2e-4, seed=0)
    rbm.init_visible_bias(x)                      # b = log(p / (1 - p))
    rbm.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5))
    rbm.fit(x, batch_size=100, epochs=10, callbacks=[MomentumSchedule(0.5, 0.9, 5)])
    features = rbm.predict(x)                     # p(h = 1 | v)
    rbm.save("rbm.keras"); keras.models.load_model("rbm.keras")

``log_partition`` (exact or AIS), ``log_likelihood``, ``pseudo_likelihood``
and ``sample`` run in ``keras.ops`` too; ``to_reference()`` gives the NumPy reference.
"""

import keras
import numpy as np
from keras import ops

from deepkit.hyperparameters import RBM_DEFAULTS, RBMSettings
from deepkit.reference import rbm as reference
from deepkit.validation import InputError, check_choice, check_float, check_int, check_seed


@keras.saving.register_keras_serializable(package="deepkit")
class RBM(keras.Model):
    """A binary restricted Boltzmann machine trained by CD-k or PCD-k.

    Kernel ~ N(0, 0.01), zero biases, ``n_chains`` persistent chains (PCD).

    Args:
        n_visible: visible units, an int >= 1.
        n_hidden: hidden units, an int >= 1.
        k: Gibbs steps per update (CD-k), an int >= 1.
        persistent: persistent contrastive divergence (PCD) when true.
        n_chains: the persistent chains, an int >= 1.
        weight_decay: L2 weight decay, a number >= 0.
        seed: an int in [0, 2**32 - 1], or None.
        **kwargs: passed to ``keras.Model``.

    Raises:
        InputError: for an argument out of range, before any weight is made.

    Example:

    ```python
    rbm = RBM(784, 500, persistent=True, seed=0)
    rbm.init_visible_bias(x)
    rbm.compile(keras.optimizers.SGD(0.05, momentum=0.5))
    rbm.fit(x, batch_size=100, epochs=10, callbacks=[MomentumSchedule()])
    features = rbm.transform(x)
    ```
    """

    def __init__(
        self,
        n_visible,
        n_hidden,
        k=RBM_DEFAULTS.k,
        persistent=RBM_DEFAULTS.persistent,
        n_chains=RBM_DEFAULTS.n_chains,
        weight_decay=RBM_DEFAULTS.weight_decay,
        seed=None,
        **kwargs,
    ):
        n_visible = check_int(n_visible, "n_visible", min_value=1)
        n_hidden = check_int(n_hidden, "n_hidden", min_value=1)
        options = RBMSettings(
            k=k, persistent=persistent, n_chains=n_chains, weight_decay=weight_decay
        )
        seed = None if seed is None else check_seed(seed)
        super().__init__(**kwargs)
        self.n_visible, self.n_hidden = n_visible, n_hidden
        self.k, self.n_chains = options.k, options.n_chains
        self.persistent, self.weight_decay = options.persistent, options.weight_decay
        n_chains = self.n_chains
        self.seed = seed
        self.kernel = self.add_weight(
            (n_visible, n_hidden), keras.initializers.RandomNormal(0.0, 0.01, seed), name="kernel"
        )
        self.visible_bias = self.add_weight((n_visible,), "zeros", name="visible_bias")
        self.hidden_bias = self.add_weight((n_hidden,), "zeros", name="hidden_bias")
        self.chains = self.add_weight((n_chains, n_hidden), "zeros", name="chains", trainable=False)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss", dtype=self.compute_dtype)
        self.reconstruction_tracker = keras.metrics.Mean(
            name="reconstruction_error", dtype=self.compute_dtype
        )
        self.injected_uniforms = None
        self.built = True

    def get_config(self):
        return {
            **super().get_config(),
            "n_visible": self.n_visible,
            "n_hidden": self.n_hidden,
            "k": self.k,
            "persistent": self.persistent,
            "n_chains": self.n_chains,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
        }

    @property
    def metrics(self):
        """The mean free energy ("loss") and reconstruction error trackers."""
        return [self.loss_tracker, self.reconstruction_tracker]

    # -- the conditional distributions (tensors in, tensors out) ----------------------

    def hidden_logits(self, v):
        """c + v W, the hidden units' logits.

        Args:
            v: visible vectors, a tensor (rows, n_visible).

        Returns:
            A tensor (rows, n_hidden).
        """
        return ops.matmul(v, self.kernel) + self.hidden_bias

    def visible_probabilities(self, h):
        """p(v = 1 | h) = sigmoid(h W' + b).

        Args:
            h: hidden vectors, a tensor (rows, n_hidden).

        Returns:
            A tensor (rows, n_visible).
        """
        return ops.sigmoid(ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias)

    def call(self, inputs):
        """p(h = 1 | v) = sigmoid(v W + c).

        Args:
            inputs: visible vectors, a tensor (rows, n_visible).

        Returns:
            A tensor (rows, n_hidden).
        """
        return ops.sigmoid(self.hidden_logits(ops.cast(inputs, self.compute_dtype)))

    def _free_energy(self, v, logits):
        return -ops.matmul(v, self.visible_bias) - ops.sum(ops.softplus(logits), axis=1)

    def _sample(self, p, u):
        return ops.cast(ops.less(u, p), self.compute_dtype)

    # -- numpy in, numpy out -------------------------------------------------------

    def _check(self, v, what="v", binary=False):
        return reference.check_visible(v, self.n_visible, what, self.compute_dtype, binary)

    def transform(self, v):
        """p(h = 1 | v), the hidden features.

        Args:
            v: visible vectors (rows, n_visible) in [0, 1].

        Returns:
            A NumPy array (rows, n_hidden).
        """
        return ops.convert_to_numpy(self(self._check(v)))

    def free_energy(self, v):
        """F(v) = -v.b - sum_j softplus(c_j + (v W)_j).

        Args:
            v: visible vectors (rows, n_visible) in [0, 1].

        Returns:
            A NumPy array, one value per row.
        """
        v = ops.convert_to_tensor(self._check(v))
        return ops.convert_to_numpy(self._free_energy(v, self.hidden_logits(v)))

    def gibbs(self, v, uniforms=None):
        """One Gibbs step v -> h -> v' (binary).

        Args:
            v: visible vectors (rows, n_visible) in [0, 1].
            uniforms: ``(u_h, u_v)``, the uniforms of the two samples as in the NumPy
                reference, or ``None`` to draw them.

        Returns:
            v', a NumPy array of bits (rows, n_visible).
        """
        v = ops.convert_to_tensor(self._check(v))
        u_h, u_v = (
            uniforms
            if uniforms is not None
            else (self._uniform(ops.shape(v)[:1] + (self.n_hidden,)), self._uniform(ops.shape(v)))
        )
        h = self._sample(ops.sigmoid(self.hidden_logits(v)), ops.cast(u_h, self.compute_dtype))
        v = self._sample(self.visible_probabilities(h), ops.cast(u_v, self.compute_dtype))
        return ops.convert_to_numpy(v)

    def pseudo_likelihood(self, v, flip=None):
        """scikit-learn's ``score_samples``: n_visible * log sigmoid(F(v~) - F(v)).

        Args:
            v: binary visible vectors (rows, n_visible).
            flip: the bit flipped in each row to make v~, one index per row (default random).

        Returns:
            A NumPy array, one pseudo-likelihood per row.

        Raises:
            InputError: ``flip`` does not hold one index in [0, n_visible) per row.
        """
        v = ops.convert_to_tensor(self._check(v, binary=True))
        n = ops.shape(v)[0]
        if flip is None:
            flip = keras.random.randint((n,), 0, self.n_visible, seed=self.seed_generator)
        elif np.shape(flip) != (n,) or np.min(flip) < 0 or np.max(flip) >= self.n_visible:
            raise InputError(f"flip must hold {n} indices in [0, {self.n_visible})")
        mask = ops.one_hot(flip, self.n_visible, dtype=self.compute_dtype)
        flipped = v + (1 - 2 * v) * mask
        gap = self._free_energy(flipped, self.hidden_logits(flipped)) - self._free_energy(
            v, self.hidden_logits(v)
        )
        return ops.convert_to_numpy(-self.n_visible * ops.softplus(-gap))

    def reconstruction_error(self, v):
        """Mean over rows of sum_i (v - p(v | p(h | v)))_i^2.

        Args:
            v: visible vectors (rows, n_visible) in [0, 1].

        Returns:
            The error, a float.
        """
        v = ops.convert_to_tensor(self._check(v))
        return float(self._reconstruction_error(v, self(v)))

    def _reconstruction_error(self, v, ph):
        return ops.mean(ops.sum(ops.square(v - self.visible_probabilities(ph)), axis=1))

    def init_visible_bias(self, x):
        """Set the visible bias b = log(p / (1 - p)) from the training data (Hinton's practical guide).

        Args:
            x: the training vectors (rows, n_visible) in [0, 1]; p is each unit's mean.
        """
        self.visible_bias.assign(reference.base_rate_bias(self._check(x, "x")))

    def to_reference(self, seed=None, dtype=None):
        """The NumPy reference with the same weights and chains.

        Args:
            seed: the reference's seed (``None``: unseeded).
            dtype: its dtype (default this model's compute dtype).

        Returns:
            A ``deepkit.reference.rbm.RBM``.
        """
        reference_rbm = reference.RBM(
            self.n_visible,
            self.n_hidden,
            self.k,
            self.persistent,
            self.n_chains,
            self.weight_decay,
            seed=seed,
            dtype=dtype or self.compute_dtype,
        )
        reference_rbm.set_weights(
            [
                ops.convert_to_numpy(w)
                for w in (self.kernel, self.visible_bias, self.hidden_bias, self.chains)
            ]
        )
        return reference_rbm

    def log_partition(self, method="exact", **ais_options):
        """log Z and its standard error, as the NumPy reference's.

        Args:
            method: "exact" sums over the 2^n_hidden hidden configurations (error 0),
                "ais" runs ``ais``.
            **ais_options: ``ais``'s arguments.

        Returns:
            ``(log Z, standard error)``.

        Raises:
            InputError: an unknown method, or "exact" with too many hidden units.
        """
        check_choice(method, "method", ("exact", "ais"))
        if method == "ais":
            return self.ais(**ais_options)
        reference.check_exact(self.n_hidden)
        chunks = []
        for start in range(0, 2**self.n_hidden, 2**16):
            codes = np.arange(start, min(start + 2**16, 2**self.n_hidden))
            h = ops.convert_to_tensor(
                (codes[:, None] >> np.arange(self.n_hidden)) & 1, self.compute_dtype
            )
            visible = ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
            chunks.append(ops.matmul(h, self.hidden_bias) + ops.sum(ops.softplus(visible), 1))
        return float(ops.logsumexp(ops.concatenate(chunks))), 0.0

    def ais(self, n_runs=100, betas=None, base_bias=None, uniforms=None):
        """Annealed importance sampling: the NumPy reference's algorithm in ``keras.ops``.

        See ``deepkit.reference.rbm.RBM.ais`` for the algorithm.

        Args:
            n_runs: the AIS chains, an int >= 2.
            betas: the inverse temperatures from 0 to 1 (default: the reference's schedule).
            base_bias: the base-rate model's visible bias b_A (default 0).
            uniforms: ``(u_v0, u_h, u_v)`` as the reference's, or ``None`` to draw them.

        Returns:
            ``(log Z, standard error)``.
        """
        check_int(n_runs, "n_runs", min_value=2)
        betas = reference.check_betas(betas)
        dtype = self.compute_dtype
        b_a = ops.zeros(self.n_visible, dtype) if base_bias is None else ops.cast(base_bias, dtype)

        def draw(shape, which, index):
            if uniforms is None:
                return self._uniform(shape)
            return ops.cast(uniforms[which][index], dtype)

        def log_p_star(v, beta):
            return (
                (1 - beta) * ops.matmul(v, b_a)
                + beta * ops.matmul(v, self.visible_bias)
                + ops.sum(ops.softplus(beta * self.hidden_logits(v)), axis=1)
            )

        v = self._sample(ops.sigmoid(b_a), draw((n_runs, self.n_visible), 0, ...))
        log_w = ops.zeros(n_runs, dtype)
        for k in range(1, len(betas)):
            beta = ops.cast(betas[k], dtype)
            log_w += log_p_star(v, beta) - log_p_star(v, ops.cast(betas[k - 1], dtype))
            if k + 1 < len(betas):
                h = self._sample(
                    ops.sigmoid(beta * self.hidden_logits(v)),
                    draw((n_runs, self.n_hidden), 1, k - 1),
                )
                visible = ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
                p = ops.sigmoid((1 - beta) * b_a + beta * visible)
                v = self._sample(p, draw((n_runs, self.n_visible), 2, k - 1))
        log_z0 = ops.sum(ops.softplus(b_a)) + self.n_hidden * np.log(2.0)
        w = ops.exp(log_w - ops.max(log_w))
        log_z = log_z0 + ops.max(log_w) + ops.log(ops.mean(w))
        stderr = ops.std(w) * np.sqrt(n_runs / (n_runs - 1)) / np.sqrt(n_runs) / ops.mean(w)
        return float(log_z), float(stderr)

    def log_likelihood(self, v, log_z=None):
        """log p(v) = -F(v) - log Z per row.

        Args:
            v: binary visible vectors (rows, n_visible).
            log_z: log Z (default: the exact one).

        Returns:
            A NumPy array, one log-likelihood per row.
        """
        v = self._check(v, binary=True)
        if log_z is None:
            log_z, _ = self.log_partition("exact")
        return -self.free_energy(v) - log_z

    def sample(self, n=16, n_steps=1000, v=None):
        """Visible probabilities p(v | h) after ``n_steps`` Gibbs steps.

        Args:
            n: the rows of random bits to start from when ``v`` is ``None``.
            n_steps: the Gibbs steps, an int >= 1.
            v: the visible vectors to start from (default: ``n`` rows of uniform random bits).

        Returns:
            A NumPy array (rows, n_visible).
        """
        check_int(n_steps, "n_steps", min_value=1)
        if v is None:
            v = self._sample(0.5, self._uniform((check_int(n, "n", min_value=1), self.n_visible)))
        v = ops.convert_to_tensor(self._check(v))
        for _ in range(n_steps):
            h = self._sample(
                ops.sigmoid(self.hidden_logits(v)), self._uniform((ops.shape(v)[0], self.n_hidden))
            )
            p = self.visible_probabilities(h)
            v = self._sample(p, self._uniform(ops.shape(p)))
        return ops.convert_to_numpy(p)

    # -- training -----------------------------------------------------------------

    def inject_uniforms(self, hidden, visible):
        """Train on these uniforms instead of Keras's generator.

        Step t reads ``hidden[t]`` and ``visible[t]``, exactly as the NumPy reference's
        ``inject_uniforms``.

        Args:
            hidden: uniforms (steps, k, rows, n_hidden), or ``None`` to undo the injection.
            visible: uniforms (steps, k, rows, n_visible).
        """
        self.injected_uniforms = (
            None
            if hidden is None
            else tuple(
                ops.convert_to_tensor(np.asarray(u), self.compute_dtype) for u in (hidden, visible)
            )
        )
        self.train_function = None

    def _uniform(self, shape):
        return keras.random.uniform(shape, dtype=self.compute_dtype, seed=self.seed_generator)

    def _step_uniforms(self, rows):
        if self.injected_uniforms is None:
            return (
                self._uniform((self.k, rows, self.n_hidden)),
                self._uniform((self.k, rows, self.n_visible)),
            )
        step = self.optimizer.iterations
        return tuple(ops.take(u, step, axis=0)[:, :rows] for u in self.injected_uniforms)

    def fit(self, x=None, y=None, **kwargs):
        """Keras's ``fit`` after checking the data.

        Args:
            x: visible vectors (n, n_visible) in [0, 1], or a dataset of batches (its
                labels, if any, are ignored), fed as is.
            y: must be ``None``: an RBM learns without labels.
            **kwargs: passed to ``keras.Model.fit``.

        Returns:
            Keras's ``History``.

        Raises:
            InputError: labels given, or ``x`` of the wrong shape or outside [0, 1].
        """
        if y is not None:
            raise InputError("an RBM learns without labels: y must be None")
        validation = kwargs.get("validation_data")
        if validation is not None:
            kwargs["validation_data"] = (self._check(validation[0], "validation x"),)
        return super().fit(x if hasattr(x, "element_spec") else self._check(x, "x"), **kwargs)

    def train_step(self, data):
        """One CD-k / PCD-k update, as ``deepkit.reference.rbm.RBM.train_step``.

        Args:
            data: a batch of visible vectors.

        Returns:
            The running means of the loss and the reconstruction error.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = ops.cast(x, self.compute_dtype)
        n = ops.shape(x)[0]
        u_h, u_v = self._step_uniforms(self.n_chains if self.persistent else n)
        logits0 = self.hidden_logits(x)
        ph0 = ops.sigmoid(logits0)
        h = ops.convert_to_tensor(self.chains) if self.persistent else self._sample(ph0, u_h[0])
        for step in range(self.k):
            v = self._sample(self.visible_probabilities(h), u_v[step])
            logits = self.hidden_logits(v)
            ph = ops.sigmoid(logits)
            if self.persistent:
                h = self._sample(ph, u_h[step])
            elif step + 1 < self.k:
                h = self._sample(ph, u_h[step + 1])
        if self.persistent:
            self.chains.assign(h)
        gap = ops.mean(self._free_energy(x, logits0)) - ops.mean(self._free_energy(v, logits))
        self.loss_tracker.update_state(gap, sample_weight=ops.cast(n, self.compute_dtype))
        self.optimizer.apply(self._gradients(x, ph0, v, ph), self.trainable_variables)
        return {"loss": self.loss_tracker.result()}

    def _gradients(self, x, ph0, v, ph):
        """[g_W, g_b, g_c] as the NumPy reference's: g_W = [v; x]' [ph / m; -ph0 / n], one product."""
        n = ops.cast(ops.shape(x)[0], self.compute_dtype)
        m = ops.cast(ops.shape(v)[0], self.compute_dtype)
        kernel_grad = ops.matmul(
            ops.transpose(ops.concatenate([v, x])), ops.concatenate([ph / m, ph0 / -n])
        )
        if self.weight_decay:
            kernel_grad += ops.cast(self.weight_decay, self.compute_dtype) * self.kernel
        return [
            kernel_grad,
            ops.mean(v, axis=0) - ops.mean(x, axis=0),
            ops.mean(ph, axis=0) - ops.mean(ph0, axis=0),
        ]

    def test_step(self, data):
        """Mean free energy ("loss") and reconstruction error, no update.

        Args:
            data: a batch of visible vectors.

        Returns:
            The running means of the loss and the reconstruction error.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = ops.cast(x, self.compute_dtype)
        logits = self.hidden_logits(x)
        n = ops.cast(ops.shape(x)[0], self.compute_dtype)
        self.loss_tracker.update_state(ops.mean(self._free_energy(x, logits)), sample_weight=n)
        self.reconstruction_tracker.update_state(
            self._reconstruction_error(x, ops.sigmoid(logits)), sample_weight=n
        )
        return {m.name: m.result() for m in self.metrics}


class MomentumSchedule(keras.callbacks.Callback):
    """Hinton's momentum: ``initial`` for the first ``switch_epoch`` epochs, then ``final``.

    The train function is retraced at the switch (Keras reads SGD's momentum once).

    Args:
        initial: the momentum of the first ``switch_epoch`` epochs, in [0, 1].
        final: the momentum after them, in [0, 1].
        switch_epoch: the epoch (from 0) at which ``final`` takes over, an int >= 0.

    Raises:
        InputError: for a momentum outside [0, 1] or a negative epoch.
    """

    def __init__(self, initial=0.5, final=0.9, switch_epoch=5):
        super().__init__()
        self.initial = check_float(initial, "initial momentum", 0.0, 1.0)
        self.final = check_float(final, "final momentum", 0.0, 1.0)
        self.switch_epoch = check_int(switch_epoch, "switch_epoch", min_value=0)

    def on_epoch_begin(self, epoch, logs=None):
        """Set the optimizer's momentum for ``epoch``, retracing at the switch.

        Args:
            epoch: the epoch about to start, from 0.
            logs: Keras's logs (unused).
        """
        momentum = self.initial if epoch < self.switch_epoch else self.final
        if self.model.optimizer.momentum != momentum:
            self.model.optimizer.momentum = momentum
            self.model.make_train_function(force=True)
