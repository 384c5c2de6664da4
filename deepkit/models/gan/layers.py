"""``MinibatchStdDev`` (Karras et al. 2018, section 3): a discriminator's view of the
diversity of the batch it scores.

For a batch x of n rows of F features (or of (h, w, c) images, F = h w c),

    sd_f = sqrt(mean_b (x_bf - mean_b x_bf)^2 + epsilon),    s = mean_f sd_f,

and s is appended to every row as one more feature (one more constant channel of an
image). A generator that collapses onto few modes makes batches of small s, which D can
tell from real batches; so G is pushed to spread its samples. The NumPy reference is
``deepkit.reference.layers.minibatch_stddev``.
"""

import keras
from keras import ops

from deepkit.validation import check_float


@keras.saving.register_keras_serializable(package="deepkit")
class MinibatchStdDev(keras.layers.Layer):
    """Appends s, the mean over features of each feature's standard deviation over the batch.

    ``(batch, ..., channels) -> (batch, ..., channels + 1)``; the whole batch is one group.

    Args:
        epsilon: added to each variance before its square root, a number > 0.
        **kwargs: passed to ``keras.layers.Layer``.

    Raises:
        InputError: ``epsilon`` not a number > 0.

    Example:

    ```python
    layer = MinibatchStdDev()
    layer(np.array([[0.0, 1.0], [2.0, 1.0]]))  # s = (1 + 0) / 2, about 0.5
    # [[0., 1., 0.5], [2., 1., 0.5]]
    ```
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_float(epsilon, "epsilon", 0.0, include_min=False)

    def call(self, inputs):
        centred = inputs - ops.mean(inputs, axis=0, keepdims=True)
        deviation = ops.sqrt(ops.mean(ops.square(centred), axis=0) + self.epsilon)
        feature = ops.ones_like(inputs[..., :1]) * ops.mean(deviation)
        return ops.concatenate([inputs, feature], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
