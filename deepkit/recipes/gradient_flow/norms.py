"""Per-layer gradient norms ||dL/dW_l||_F of a Keras classifier on one batch, by
``tf.GradientTape``, and the same from its NumPy reference (``deepkit.reference.from_keras``,
hand-written backpropagation) on the same weights and batch.

L is the batch's mean sparse categorical cross-entropy; W_l is layer l's kernel (biases
left out), l = 1 next to the input. Backpropagation gives dL/dW_l = a_{l-1}' delta_l with
delta_l = (delta_{l+1} W_{l+1}') * f'(z_l): every layer the error passes through multiplies
it by W' and by f', at most 1/4 for the sigmoid, so in a deep sigmoid net with small
weights ||dL/dW_1|| / ||dL/dW_L|| is tiny (vanishing); with weights large enough it is
large (exploding).
"""

import numpy as np


def gradient_norms(model, x, y):
    """||dL/dW_l||_F of each layer's kernel, by ``tf.GradientTape``.

    Args:
        model: a Keras ``Sequential`` of ``Dense`` layers ending in a softmax.
        x: the batch's inputs.
        y: its integer labels.

    Returns:
        A list of floats, one per layer, the input's first.
    """
    import keras
    import tensorflow as tf

    kernels = [layer.kernel for layer in model.layers]
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=False))
    return [float(np.linalg.norm(np.asarray(g, "float64"))) for g in tape.gradient(loss, kernels)]


def reference_gradient_norms(model, x, y):
    """``gradient_norms`` by the NumPy reference of ``model`` (same weights, same batch).

    Args:
        model: a compiled Keras ``Sequential`` that ``deepkit.reference.from_keras`` hosts.
        x: the batch's inputs.
        y: its integer labels.

    Returns:
        A list of floats, one per layer, the input's first.
    """
    from deepkit import reference

    numpy_model = reference.from_keras(model)
    numpy_model.compute_gradients(np.asarray(x, numpy_model.dtype), y, training=False)
    return [
        float(np.linalg.norm(layer.grads["kernel"].astype("float64")))
        for layer in numpy_model.layers
    ]


def first_to_last(norms):
    """||dL/dW_1|| / ||dL/dW_L||: far below 1, the gradient vanishes on its way to the
    input; far above 1, it explodes."""
    return norms[0] / norms[-1]


def largest_difference(norms, reference_norms):
    """max_l |reference_l - keras_l| / keras_l, the NumPy reference's largest relative gap."""
    keras_norms = np.asarray(norms)
    return float(np.max(np.abs(np.asarray(reference_norms) - keras_norms) / keras_norms))
