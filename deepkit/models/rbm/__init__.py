"""Bernoulli-Bernoulli restricted Boltzmann machine as a Keras model, trained by CD-k or
persistent CD with its own ``train_step`` (same formulas, names and order of random
numbers as the NumPy reference ``deepkit.reference.rbm``, whose docstrings give the maths).

    rbm = RBM(784, 500, k=1, weight_decay=2e-4, seed=0)
    rbm.init_visible_bias(x)                      # b = log(p / (1 - p))
    rbm.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5))
    rbm.fit(x, batch_size=100, epochs=10, callbacks=[MomentumSchedule(0.5, 0.9, 5)])
    features = rbm.predict(x)                     # p(h = 1 | v)
    rbm.save("rbm.keras"); keras.models.load_model("rbm.keras")

- ``RBM`` (``model``): the weights, the two conditionals, the free energy, Gibbs sampling
  and ``to_reference()``, the NumPy reference with the same weights.
- ``training``: the CD-k / PCD-k step and ``MomentumSchedule``.
- ``likelihood``: the pseudo-likelihood, log Z (exact or AIS) and the log-likelihood, in
  ``keras.ops`` too.
"""

from deepkit.models.rbm.model import RBM
from deepkit.models.rbm.training import MomentumSchedule

__all__ = ["RBM", "MomentumSchedule"]
