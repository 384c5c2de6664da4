"""MNIST multilayer perceptron: T1's 784-32-10 network, or a stronger 784-512-256-10 default.

    from deepkit.recipes import mnist
    result = mnist.run()            # full MNIST, Keras, early stopping on a validation split
    print(result.report())

The steps (load, fit, evaluate, plot) live in ``deepkit.recipes.mnist_steps``,
shared with every MNIST recipe.
"""

from deepkit.recipes.mnist_steps import (
    add_common_arguments,
    distribution_options,
    train_and_evaluate,
)


def run(
    config="default",
    engine="keras",
    epochs=30,
    batch_size=128,
    validation_split=0.1,
    patience=3,
    limit=None,
    path=None,
    seed=0,
    plot=None,
    verbose=0,
    **distribution,
):
    """Train and test the MNIST MLP ``config`` ("default" or "t1") on ``engine``; a ``MnistResult``.

    ``strategy``, ``checkpoint_dir`` and ``save`` are those of
    ``mnist_steps.train_and_evaluate`` (tf.distribute, resumable runs, a ``.keras`` file).
    """
    # Keras's multi-step loop fails across replicas (deepkit.training.fit refuses it),
    # so a distributed run takes one step per graph call.
    steps = 1 if distribution.get("strategy") is not None else 32
    return train_and_evaluate(
        lambda: build_model(config, seed, steps),
        f"MLP {config}",
        flat=True,
        engine=engine,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=validation_split,
        patience=patience,
        limit=limit,
        path=path,
        seed=seed,
        plot=plot,
        verbose=verbose,
        **distribution,
    )


def build_model(config="default", seed=0, steps_per_execution=32):
    """The recipe's compiled MLP: 32 steps per graph call (less per-step overhead), no XLA."""
    from deepkit.models.dense import mnist_mlp

    return mnist_mlp(config, seed=seed, steps_per_execution=steps_per_execution, jit_compile=False)


def add_arguments(parser):
    parser.add_argument(
        "--config", choices=["default", "t1"], default="default", help="network configuration"
    )
    add_common_arguments(parser, epochs=30, batch_size=128)


def main(args):
    result = run(
        config=args.config,
        engine=args.engine,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=args.validation_split,
        patience=args.patience,
        limit=args.limit,
        path=args.path,
        seed=args.seed,
        plot=args.plot,
        verbose=2,
        **distribution_options(args),
    )
    print(result.report())
