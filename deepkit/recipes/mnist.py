"""MNIST multilayer perceptron: T1's 784-32-10 network, or a stronger 784-512-256-10 default.

    from deepkit.recipes import mnist
    result = mnist.run()                 # full MNIST, Keras, early stopping on a validation split
    result = mnist.run(config="t1", epochs=5)
    print(result.report())

The steps (load, fit, evaluate, plot) are ``deepkit.recipes.mnist_classifier``'s, shared
with the cnn and rnn recipes.
"""

import dataclasses
from functools import partial

from deepkit.recipes.mnist_classifier import MnistSettings, prepare, train_and_evaluate
from deepkit.settings import setting


@dataclasses.dataclass(frozen=True)
class Settings(MnistSettings):
    """The MLP recipe's settings: the shared MNIST ones and the network configuration."""

    config: str = setting("default", "network configuration", choices=("default", "t1"))


def run(settings=None, /, *, verbose=0, **overrides):
    """Train and test the MNIST MLP.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(config="t1")``).

    Returns:
        A ``MnistResult``.

    Raises:
        InputError: a bad setting, before any data loads.
    """
    s = Settings.resolve(settings, overrides)
    # Keras's multi-step loop fails across replicas, so a distributed run takes one step
    # per graph call.
    steps = 1 if s.strategy is not None else 32
    return train_and_evaluate(
        lambda steps_per_epoch: build_model(s.config, s.seed, steps),
        f"MLP {s.config}",
        s,
        prepare_images=partial(prepare, flat=True),
        verbose=verbose,
    )


def build_model(config="default", seed=0, steps_per_execution=32):
    """The recipe's compiled MLP: 32 steps per graph call (less per-step overhead), no XLA."""
    from deepkit.models.dense import mnist_mlp

    return mnist_mlp(config, seed=seed, steps_per_execution=steps_per_execution, jit_compile=False)
