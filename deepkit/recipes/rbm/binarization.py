"""Grey MNIST pixels p in [0, 1] made binary, the data a Bernoulli RBM models.

- stochastic: v ~ Bernoulli(p), so E[v] = p (Salakhutdinov & Murray 2008's data).
  Training images are drawn afresh for every batch, ``data > rand`` in Salakhutdinov's
  code (``BinarizingRBM``); the validation and test images once, seeded (``binarize``),
  so that every candidate is scored on the same bits.
- threshold: v = [p > 0.5], fixed.
"""

import keras
import numpy as np
from keras import ops

from deepkit.models.rbm import RBM
from deepkit.recipes.rbm.settings import BINARIZATIONS
from deepkit.validation import check_choice

# ``binarize``'s draws for the three parts of the data never share a stream.
PARTS = {"fit": 0, "validation": 1, "test": 2}


def binarize(x, binarization, seed, part):
    """Binary images from grey ones.

    Args:
        x: pixels in [0, 1], any shape.
        binarization: "stochastic" (v ~ Bernoulli(x)) or "threshold" (v = [x > 0.5]).
        seed: with ``part``, seeds the stochastic draw.
        part: "fit", "validation" or "test".

    Returns:
        A float64 array of 0s and 1s, the shape of ``x``.
    """
    check_choice(part, "part", tuple(PARTS))
    x = np.asarray(x, dtype="float64")
    if check_choice(binarization, "binarization", BINARIZATIONS) == "threshold":
        return (x > 0.5).astype("float64")
    uniforms = np.random.default_rng([seed, PARTS[part]]).uniform(size=x.shape)
    return (uniforms < x).astype("float64")


@keras.saving.register_keras_serializable(package="deepkit")
class BinarizingRBM(RBM):
    """An ``RBM`` that trains on grey images binarized afresh at every step.

    Each batch x becomes v = [u < x], u uniform from the RBM's own seeded generator (whose
    position a checkpoint keeps), and the CD-k / PCD-k step runs on v: over the epochs
    the RBM sees many binary images of each grey one, as in Salakhutdinov's code.
    """

    def train_step(self, data):
        """One CD-k / PCD-k update on the batch binarized.

        Args:
            data: a batch of grey visible vectors in [0, 1].

        Returns:
            The running mean of the loss.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = ops.cast(x, self.compute_dtype)
        return super().train_step(self._sample(x, self._uniform(ops.shape(x))))
