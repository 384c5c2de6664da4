"""The Keras ``RBM``: a Bernoulli-Bernoulli restricted Boltzmann machine's weights, its two
conditionals, its free energy and Gibbs sampling, with the same formulas, names and order of
random numbers as the NumPy reference ``deepkit.reference.rbm``, whose ``energy`` module
gives the maths.

It trains by ``ContrastiveDivergence`` (``training``) and is measured by ``RBMLikelihood``
(``likelihood``); ``to_reference()`` gives the NumPy reference with the same weights.
"""

import keras
from keras import ops

from deepkit.hyperparameters import RBM_DEFAULTS, RBMSettings
from deepkit.models.rbm.likelihood import RBMLikelihood
from deepkit.models.rbm.training import ContrastiveDivergence
from deepkit.reference import rbm as reference
from deepkit.validation import check_int, check_seed


@keras.saving.register_keras_serializable(package="deepkit")
class RBM(ContrastiveDivergence, RBMLikelihood, keras.Model):
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

    def _uniform(self, shape):
        return keras.random.uniform(shape, dtype=self.compute_dtype, seed=self.seed_generator)

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
