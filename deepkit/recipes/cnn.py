"""MNIST convolutional network in the style of keras-io's "Simple MNIST convnet".

    from deepkit.recipes import cnn
    result = cnn.run()              # keras-io reports 0.9922 test accuracy after 15 epochs
    print(result.report())

Two Conv2D(3x3, relu) + MaxPooling2D(2) blocks (32 and 64 filters), Flatten,
Dropout(0.5), Dense(10, softmax), Adam; optional small random shifts of the
training images (``shift=0.1``). The steps are ``deepkit.recipes.mnist_classifier``'s.
``engine="numpy"`` trains the NumPy reference of the same network, shifts included.
"""

import dataclasses
from functools import partial

from deepkit.recipes.mnist_classifier import MnistSettings, prepare, train_and_evaluate
from deepkit.settings import setting


@dataclasses.dataclass(frozen=True)
class Settings(MnistSettings):
    """The CNN recipe's settings: the shared MNIST ones, fewer epochs, dropout and shifts."""

    epochs: int = setting(15, "maximum epochs (early stopping may end sooner)", min_value=1)
    dropout: float = setting(
        0.5,
        "dropout rate before the softmax layer",
        min_value=0.0,
        max_value=1.0,
        include_max=False,
    )
    shift: float = setting(
        0.0,
        "random shifts of the training images, e.g. 0.1",
        min_value=0.0,
        max_value=1.0,
        include_max=False,
    )


def run(settings=None, /, *, verbose=0, **overrides):
    """Train and test the MNIST CNN.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(shift=0.1)``).

    Returns:
        A ``MnistResult``.

    Raises:
        InputError: a bad setting, before any data loads.
    """
    s = Settings.resolve(settings, overrides)
    name = f"CNN (dropout {s.dropout}" + (f", shift {s.shift})" if s.shift else ")")
    return train_and_evaluate(
        lambda steps_per_epoch: build_model(s.dropout, s.shift, s.seed),
        name,
        s,
        prepare_images=partial(prepare, flat=False),
        verbose=verbose,
    )


def build_model(dropout=0.5, shift=0.0, seed=0):
    """The recipe's compiled CNN (no XLA: TensorFlow's own conv kernels are faster on CPU)."""
    from deepkit.models.convolutional import mnist_cnn

    return mnist_cnn(dropout=dropout, shift=shift, seed=seed, jit_compile=False)
