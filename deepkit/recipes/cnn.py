"""MNIST convolutional network in the style of keras-io's "Simple MNIST convnet".

    from deepkit.recipes import cnn
    result = cnn.run()              # keras-io reports 0.9922 test accuracy after 15 epochs
    print(result.report())

Two Conv2D(3x3, relu) + MaxPooling2D(2) blocks (32 and 64 filters), Flatten,
Dropout(0.5), Dense(10, softmax), Adam; optional small random shifts of the
training images (``shift=0.1``). The steps are those of the ``mnist`` recipe.
``engine="numpy"`` trains the NumPy twin of the same network, which has no
augmentation layers, so it refuses ``shift > 0``.
"""

from deepkit.recipes.mnist_steps import (
    add_common_arguments,
    distribution_options,
    train_and_evaluate,
)
from deepkit.validation import InputError, check_float


def run(
    engine="keras",
    epochs=15,
    batch_size=128,
    dropout=0.5,
    shift=0.0,
    validation_split=0.1,
    patience=3,
    limit=None,
    path=None,
    seed=0,
    plot=None,
    verbose=0,
    **distribution,
):
    """Train and test the MNIST CNN on ``engine``; a ``MnistResult``.

    ``strategy``, ``checkpoint_dir`` and ``save`` are those of
    ``mnist_steps.train_and_evaluate`` (tf.distribute, resumable runs, a ``.keras`` file).
    """
    check_float(dropout, "dropout", 0.0, 1.0, include_max=False)
    check_float(shift, "shift", 0.0, 1.0, include_max=False)
    if engine == "numpy" and shift > 0:
        raise InputError(
            "shift (RandomTranslation augmentation) is Keras-only: the NumPy twin has no augmentation layers; "
            "use shift=0 with engine='numpy'"
        )

    name = f"CNN (dropout {dropout}" + (f", shift {shift})" if shift else ")")
    return train_and_evaluate(
        lambda: build_model(dropout, shift, seed),
        name,
        flat=False,
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


def build_model(dropout=0.5, shift=0.0, seed=0):
    """The recipe's compiled CNN (no XLA: TensorFlow's own conv kernels are faster here on CPU)."""
    from deepkit.models.convolutional import mnist_cnn

    return mnist_cnn(dropout=dropout, shift=shift, seed=seed, jit_compile=False)


def add_arguments(parser):
    parser.add_argument(
        "--dropout", type=float, default=0.5, help="dropout rate before the softmax layer"
    )
    parser.add_argument(
        "--shift",
        type=float,
        default=0.0,
        help="random shifts of training images, e.g. 0.1 (Keras only)",
    )
    add_common_arguments(parser, epochs=15, batch_size=128)


def main(args):
    result = run(
        engine=args.engine,
        epochs=args.epochs,
        batch_size=args.batch_size,
        dropout=args.dropout,
        shift=args.shift,
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
