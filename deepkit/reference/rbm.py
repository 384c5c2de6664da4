"""Bernoulli-Bernoulli restricted Boltzmann machine, trained by contrastive
divergence (CD-k) or persistent CD (PCD); the NumPy reference of ``deepkit.models.rbm.RBM``.

Energy and free energy, with kernel W (n_visible, n_hidden), visible bias b,
hidden bias c::

    E(v, h) = -v.b - h.c - v W h
    F(v) = -log sum_h exp(-E(v, h)) = -v.b - sum_j softplus(c_j + (v W)_j)
    p(h_j = 1 | v) = sigmoid(c_j + (v W)_j),   p(v_i = 1 | h) = sigmoid(b_i + (W h)_i)

A unit is sampled on as ``u < p`` with u uniform in [0, 1), like scikit-learn's
``BernoulliRBM``; every uniform can be injected, so the NumPy reference and Keras see the
same samples. One training step (``train_step``) on a batch v0 of n rows:

    positive phase: ph0 = p(h | v0)
    negative phase: k Gibbs steps h -> v -> h; CD starts from h ~ p(h | v0),
        PCD from the persistent chains (``n_chains`` rows, zeros at first, kept
        between steps as the last hidden sample); the chain ends at (vk, phk)
    "gradient": g_W = -(v0' ph0 / n - vk' phk / m) + weight_decay W
                g_b = -(mean v0 - mean vk),   g_c = -(mean ph0 - mean phk)

g is the gradient of mean F(v0) - mean F(vk) (vk held fixed) + weight_decay/2 |W|^2,
and it goes to the compiled optimizer: SGD with momentum is Hinton's rule
dW = momentum dW + lr (positive - negative - weight_decay W). The logged
"loss" is that free-energy gap (no extra matrix product); ``test_step`` (evaluate,
validation) logs the mean free energy and the "reconstruction_error", the mean
over rows of sum_i (v - p(v | p(h | v)))_i^2 (one mean-field pass).
"""

import math

import numpy as np

from deepkit.hyperparameters import RBM_DEFAULTS, RBMSettings
from deepkit.reference.activations import sigmoid
from deepkit.reference.callbacks import Callback
from deepkit.reference.trainer import Trainer
from deepkit.validation import InputError, check_choice, check_int

MAX_EXACT_HIDDEN = 25
# Salakhutdinov & Murray (2008): 500 betas in [0, 0.5), 4,000 in [0.5, 0.9), 10,000 in [0.9, 1].
AIS_SCHEDULE = ((0.0, 0.5, 500), (0.5, 0.9, 4000), (0.9, 1.0, 10000))


def softplus(x):
    """log(1 + exp(x)), without overflow."""
    return np.logaddexp(0.0, x)


def softplus_sum(x):
    """sum over the last axis of softplus(x) = max(x, 0) + log(1 + exp(-|x|)):
    no overflow, and log of 1 + e (vectorised) rather than ``np.logaddexp`` or
    ``log1p`` (not vectorised): much faster in float32, each term within
    half an ulp of 1 of the exact one, below the rounding of the sum."""
    terms = np.abs(x)
    np.negative(terms, out=terms)
    np.exp(terms, out=terms)
    terms += 1
    np.log(terms, out=terms)
    terms += np.maximum(x, 0)
    return terms.sum(axis=-1)


def check_visible(x, n_visible, what="x", dtype="float64", binary=False):
    """``x`` as a 2-D float array of ``n_visible`` columns in [0, 1] (exactly 0 or 1
    when ``binary``), finite; a clear error naming ``what`` otherwise."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise InputError(f"{what} must be numeric, got dtype {x.dtype}")
    x = x.astype(dtype, copy=False)
    if x.ndim != 2 or x.shape[1] != n_visible:
        raise InputError(f"{what} must have shape (n, {n_visible}), got {x.shape}")
    if not binary and (x.size == 0 or (0 <= x.min() and x.max() <= 1)):
        return x  # fast path, two reductions (a NaN makes both NaN and fails them)
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(
            f"{what} contains NaN or infinite values (first at row {row}, column {col})"
        )
    bad = (x < 0) | (x > 1) if not binary else (x != 0) & (x != 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "binary (0 or 1)" if binary else "in [0, 1]"
        raise InputError(
            f"{what} must be {kind} for a Bernoulli RBM, got {float(x[row, col])!r} at row {row}, "
            f"column {col}"
        )
    return x


def base_rate_bias(x, eps=1e-3):
    """Hinton's visible bias log(p / (1 - p)), p the fraction of rows with the unit
    on, clipped to [eps, 1 - eps] so that always-off pixels get a finite bias."""
    p = np.clip(np.mean(x, axis=0), eps, 1 - eps)
    return np.log(p / (1 - p))


def ais_betas(n_betas=14500):
    """Inverse temperatures 0 = beta_0 < ... < beta_K = 1, Salakhutdinov & Murray's
    schedule scaled to ``n_betas`` intervals."""
    check_int(n_betas, "n_betas", min_value=3)
    total = sum(count for _, _, count in AIS_SCHEDULE)
    parts = [
        np.linspace(lo, hi, max(round(n_betas * count / total), 1), endpoint=False)
        for lo, hi, count in AIS_SCHEDULE
    ]
    return np.concatenate(parts + [[1.0]])


def check_exact(n_hidden):
    """Refuse an exact log partition that would enumerate more than 2^25 configurations."""
    if n_hidden > MAX_EXACT_HIDDEN:
        raise InputError(
            f"exact log partition enumerates 2^n_hidden configurations: n_hidden="
            f"{n_hidden} > {MAX_EXACT_HIDDEN}; use method='ais'"
        )


def check_betas(betas):
    """AIS inverse temperatures (default ``ais_betas``), increasing from 0 to 1."""
    betas = ais_betas() if betas is None else np.asarray(betas, dtype="float64")
    if betas.ndim != 1 or len(betas) < 2 or betas[0] != 0 or betas[-1] != 1:
        raise InputError("betas must increase from 0 to 1")
    if np.any(np.diff(betas) <= 0):
        raise InputError("betas must increase from 0 to 1")
    return betas


class RBM(Trainer):
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

    # -- sampling -------------------------------------------------------------------

    def inject_uniforms(self, hidden, visible):
        """Use these uniforms instead of ``self.rng``: step t of training (the
        optimizer's iteration count) reads ``hidden[t]`` (k, rows, n_hidden) and
        ``visible[t]`` (k, rows, n_visible); rows = the batch size (CD) or n_chains
        (PCD), the first rows used for a short last batch. ``None`` undoes it."""
        self.injected_uniforms = (
            None if hidden is None else (np.asarray(hidden), np.asarray(visible))
        )

    def _step_uniforms(self, rows):
        if self.injected_uniforms is None:
            draw = self._uniform
            return draw((self.k, rows, self.n_hidden)), draw((self.k, rows, self.n_visible))
        step = self.optimizer.iterations
        hidden, visible = self.injected_uniforms
        return hidden[step, :, :rows], visible[step, :, :rows]

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

    # -- training: the Trainer's hooks ------------------------------------------------

    def _check_x(self, x, what="x"):
        return check_visible(x, self.n_visible, what, self.dtype)

    def _prepare_y(self, y, n, what="y"):
        if y is not None:
            raise InputError(f"an RBM learns without labels: {what} must be None")
        return None

    def train_step(self, x, y=None):
        """One CD-k / PCD-k update on the batch ``x``; see the module docstring."""
        rows = self.n_chains if self.persistent else len(x)
        u_h, u_v = self._step_uniforms(rows)
        logits0 = self.hidden_logits(x)
        ph0 = sigmoid(logits0)
        h = self.chains if self.persistent else self._sample(ph0, u_h[0])
        for step in range(self.k):
            v = self._sample(self.visible_probabilities(h), u_v[step])
            logits = self.hidden_logits(v)
            ph = sigmoid(logits)
            if self.persistent:
                h = self._sample(ph, u_h[step])
            elif step + 1 < self.k:
                h = self._sample(ph, u_h[step + 1])
        if self.persistent:
            self.chains[...] = h
        gap = self._free_energy(x, logits0).mean() - self._free_energy(v, logits).mean()
        self.optimizer.apply(self._gradients(x, ph0, v, ph), self.trainable_weights)
        return {"loss": float(gap)}

    def _gradients(self, x, ph0, v, ph):
        """[g_W, g_b, g_c] of the module docstring. g_W = v' ph / m - x' ph0 / n is
        one product [v; x]' [ph / m; -ph0 / n] (no (n_visible, n_hidden) temporaries)."""
        n, m = self.dtype.type(len(x)), self.dtype.type(len(v))
        kernel_grad = np.concatenate([v, x]).T @ np.concatenate([ph / m, ph0 / -n])
        if self.weight_decay:
            kernel_grad += self.dtype.type(self.weight_decay) * self.kernel
        return [kernel_grad, v.mean(axis=0) - x.mean(axis=0), ph.mean(axis=0) - ph0.mean(axis=0)]

    def _reconstruction_error(self, v, ph):
        return float(((v - self.visible_probabilities(ph)) ** 2).sum(axis=1).mean())

    def test_step(self, x, y=None):
        """Mean free energy and mean-field reconstruction error, no update."""
        ph = self._forward(x)
        return {
            "loss": float(self._free_energy(x, self.hidden_logits(x)).mean()),
            "reconstruction_error": self._reconstruction_error(x, ph),
        }

    # -- likelihoods ----------------------------------------------------------------

    def pseudo_likelihood(self, v, flip=None):
        """scikit-learn's ``score_samples``: flip bit i = ``flip[row]`` (default drawn
        from ``self.rng``) in each row, n_visible * log sigmoid(F(v~) - F(v))."""
        v = check_visible(v, self.n_visible, "v", self.dtype, binary=True)
        if flip is None:
            flip = self.rng.integers(0, self.n_visible, len(v))
        flip = np.asarray(flip)
        if flip.shape != (len(v),) or flip.min() < 0 or flip.max() >= self.n_visible:
            raise InputError(f"flip must hold {len(v)} indices in [0, {self.n_visible})")
        flipped = v.copy()
        rows = np.arange(len(v))
        flipped[rows, flip] = 1 - flipped[rows, flip]
        gap = self.free_energy(flipped) - self.free_energy(v)
        return -self.n_visible * softplus(-gap)

    def log_partition(self, method="exact", **ais_options):
        """(log Z, standard error): "exact" sums over the 2^n_hidden hidden
        configurations, log Z = logsumexp_h [h.c + sum_i softplus(b_i + (W h)_i)]
        (error 0); "ais" runs ``ais`` with ``ais_options``."""
        check_choice(method, "method", ("exact", "ais"))
        if method == "ais":
            return self.ais(**ais_options)
        check_exact(self.n_hidden)
        terms = []
        for start in range(0, 2**self.n_hidden, 2**16):
            codes = np.arange(start, min(start + 2**16, 2**self.n_hidden))
            h = ((codes[:, None] >> np.arange(self.n_hidden)) & 1).astype(self.dtype)
            terms.append(h @ self.hidden_bias + softplus_sum(h @ self.kernel.T + self.visible_bias))
        terms = np.concatenate(terms)
        top = terms.max()
        return float(top + np.log(np.exp(terms - top).sum())), 0.0

    def ais(self, n_runs=100, betas=None, base_bias=None, uniforms=None):
        """Annealed importance sampling (Salakhutdinov & Murray 2008): (log Z, standard error).

        From the base-rate model p_0(v) ~ exp(b_A.v) (``base_bias`` b_A, default 0;
        log Z_0 = sum softplus(b_A) + n_hidden log 2) to this RBM through
        log p*_beta(v) = (1 - beta) b_A.v + beta b.v + sum_j softplus(beta (c + v W)_j):
        ``n_runs`` chains, log w += log p*_k(v) - log p*_{k-1}(v), then one Gibbs
        step at beta_k; log Z = log Z_0 + log mean w, the error by the delta method,
        std(w) / (sqrt(n_runs) mean w). ``uniforms`` = (u_v0 (runs, n_visible),
        u_h (K - 1, runs, n_hidden), u_v (K - 1, runs, n_visible)) replaces ``self.rng``.
        """
        check_int(n_runs, "n_runs", min_value=2)
        betas = check_betas(betas)
        b_a = np.zeros(self.n_visible) if base_bias is None else np.asarray(base_bias, "float64")
        b_a = b_a.astype(self.dtype)

        def draw(shape, which, index):
            return self._uniform(shape) if uniforms is None else uniforms[which][index]

        def log_p_star(v, beta):
            return (
                (1 - beta) * (v @ b_a)
                + beta * (v @ self.visible_bias)
                + softplus_sum(beta * self.hidden_logits(v))
            )

        v = self._sample(sigmoid(b_a), draw((n_runs, self.n_visible), 0, ...))
        log_w = np.zeros(n_runs, self.dtype)
        for k in range(1, len(betas)):
            beta = self.dtype.type(betas[k])
            log_w += log_p_star(v, beta) - log_p_star(v, self.dtype.type(betas[k - 1]))
            if k + 1 < len(betas):
                h = self._sample(
                    sigmoid(beta * self.hidden_logits(v)), draw((n_runs, self.n_hidden), 1, k - 1)
                )
                p = sigmoid((1 - beta) * b_a + beta * (h @ self.kernel.T + self.visible_bias))
                v = self._sample(p, draw(v.shape, 2, k - 1))
        log_z0 = softplus(b_a).sum() + self.n_hidden * math.log(2)
        top = log_w.max()
        w = np.exp(log_w - top)
        log_z = log_z0 + top + math.log(w.mean())
        return float(log_z), float(w.std(ddof=1) / math.sqrt(n_runs) / w.mean())

    def log_likelihood(self, v, log_z=None):
        """log p(v) = -F(v) - log Z per row (``log_z`` default: the exact one)."""
        v = check_visible(v, self.n_visible, "v", self.dtype, binary=True)
        if log_z is None:
            log_z, _ = self.log_partition("exact")
        return -self.free_energy(v) - log_z


class MomentumSchedule(Callback):
    """Hinton's momentum: ``initial`` for the first ``switch_epoch`` epochs, then ``final``
    (the compiled SGD must start with a nonzero momentum)."""

    def __init__(self, initial=0.5, final=0.9, switch_epoch=5):
        self.initial, self.final, self.switch_epoch = initial, final, switch_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.model.optimizer.momentum = self.initial if epoch < self.switch_epoch else self.final
