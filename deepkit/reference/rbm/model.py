"""The NumPy ``RBM``: a Bernoulli-Bernoulli restricted Boltzmann machine's weights, its two
conditionals, its free energy and Gibbs sampling (the energy is ``energy``'s docstring).

It trains by ``ContrastiveDivergence`` (``training``) in the reference ``Trainer`` and is
measured by ``RBMLikelihood`` (``likelihood``); ``deepkit.models.rbm.RBM`` is its Keras twin.
"""

import numpy as np

from deepkit.hyperparameters import RBM_DEFAULTS, RBMSettings
from deepkit.reference.activations import sigmoid
from deepkit.reference.rbm.energy import base_rate_bias, check_visible, softplus_sum
from deepkit.reference.rbm.likelihood import RBMLikelihood
from deepkit.reference.rbm.training import ContrastiveDivergence
from deepkit.reference.trainer import Trainer
from deepkit.validation import InputError, check_choice, check_int


class RBM(ContrastiveDivergence, RBMLikelihood, Trainer):
    """``RBM(n_visible, n_hidden, k=1, persistent=False, n_chains=100, weight_decay=0.0)``.

    Weights start as Hinton's practical guide: W ~ N(0, 0.01), zero biases
    (``init_visible_bias(x)`` sets b = log(p / (1 - p)) from data). Train with
    ``compile(optimizer=SGD(learning_rate, momentum))`` then ``fit(x)``.
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
        dtype="float32",
        name="rbm",
    ):
        self.n_visible = check_int(n_visible, "n_visible", min_value=1)
        self.n_hidden = check_int(n_hidden, "n_hidden", min_value=1)
        options = RBMSettings(
            k=k, persistent=persistent, n_chains=n_chains, weight_decay=weight_decay
        )
        self.k, self.persistent = options.k, options.persistent
        self.n_chains, self.weight_decay = options.n_chains, options.weight_decay
        self.dtype = np.dtype(check_choice(np.dtype(dtype).name, "dtype", ("float32", "float64")))
        self.name, self.seed = name, seed
        self.rng = np.random.default_rng(seed)
        self.kernel = self.rng.normal(0.0, 0.01, (n_visible, n_hidden)).astype(self.dtype)
        self.visible_bias = np.zeros(n_visible, self.dtype)
        self.hidden_bias = np.zeros(n_hidden, self.dtype)
        self.chains = np.zeros((n_chains, n_hidden), self.dtype)
        self.injected_uniforms = None
        self.output_shape = (None, n_hidden)

    # -- weights ----------------------------------------------------------------

    @property
    def trainable_weights(self):
        return [self.kernel, self.visible_bias, self.hidden_bias]

    def get_weights(self):
        """[kernel, visible_bias, hidden_bias, chains], Keras's variable order."""
        return [w.copy() for w in self.trainable_weights + [self.chains]]

    def set_weights(self, weights):
        for mine, new in zip(self.trainable_weights + [self.chains], weights, strict=True):
            if np.shape(new) != mine.shape:
                raise InputError(f"weight shape {np.shape(new)} != expected {mine.shape}")
            mine[...] = new

    def init_visible_bias(self, x):
        """Set b = log(p / (1 - p)) from the training data ``x`` (Hinton's guide, 8.1)."""
        self.visible_bias[...] = base_rate_bias(self._check_x(x))

    # -- the conditional distributions --------------------------------------------

    def hidden_logits(self, v):
        logits = v @ self.kernel
        logits += self.hidden_bias
        return logits

    def transform(self, v):
        """p(h = 1 | v) = sigmoid(v W + c), the hidden features."""
        return sigmoid(self.hidden_logits(self._check_x(v)))

    def visible_probabilities(self, h):
        """p(v = 1 | h) = sigmoid(h W' + b)."""
        logits = h @ self.kernel.T
        logits += self.visible_bias
        return sigmoid(logits)

    def free_energy(self, v):
        """F(v) = -v.b - sum_j softplus(c_j + (v W)_j), one value per row."""
        v = self._check_x(v)
        return self._free_energy(v, self.hidden_logits(v))

    def _free_energy(self, v, logits):
        return -(v @ self.visible_bias) - softplus_sum(logits)

    def __call__(self, x, training=False):
        return self.transform(x)

    def _forward(self, x, training=False):
        return sigmoid(self.hidden_logits(x))

    def _check_x(self, x, what="x"):
        return check_visible(x, self.n_visible, what, self.dtype)

    # -- sampling -------------------------------------------------------------------

    def _uniform(self, shape):
        return self.rng.random(shape, dtype=self.dtype)

    def _sample(self, p, u):
        return (u < p).astype(self.dtype)

    def gibbs(self, v, uniforms=None):
        """One Gibbs step v -> h ~ p(h | v) -> v' ~ p(v | h); ``uniforms`` = (u_h, u_v)."""
        v = self._check_x(v)
        u_h, u_v = (
            uniforms
            if uniforms is not None
            else (self._uniform((len(v), self.n_hidden)), self._uniform(v.shape))
        )
        h = self._sample(sigmoid(self.hidden_logits(v)), u_h)
        return self._sample(self.visible_probabilities(h), u_v)

    def sample(self, n=16, n_steps=1000, v=None):
        """Visible probabilities p(v | h) after ``n_steps`` Gibbs steps from ``v``
        (default: ``n`` rows of uniform random bits)."""
        check_int(n_steps, "n_steps", min_value=1)
        if v is None:
            v = self._sample(0.5, self._uniform((check_int(n, "n", min_value=1), self.n_visible)))
        v = self._check_x(v)
        for _ in range(n_steps):
            h = self._sample(sigmoid(self.hidden_logits(v)), self._uniform((len(v), self.n_hidden)))
            p = self.visible_probabilities(h)
            v = self._sample(p, self._uniform(v.shape))
        return p
