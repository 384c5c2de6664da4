"""Measurements of the MNIST image recipes: ``mnist``, ``cnn`` (and ``cnn-shift``), ``transfer``, ``rnn`` (and its shifted rows).

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command, timed


def mnist(quick, path):
    """The MNIST MLP 784-512-256-10 (Keras), and the same net on the NumPy reference.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import mnist

    figures = []
    small = dict(limit=1200, epochs=2) if quick else {}
    for engine, options in (("keras", {}), ("numpy", {"epochs": 10})):
        options = {"engine": engine, **options, **small}
        (result,), seconds = timed(mnist.run, (0,), path, **options)
        what = (
            f"784-512-256-10, dropout 0.2, adam, early stopping; {engine}; "
            f"{result.n_train:,} train / {result.n_test:,} test images"
        )
        cli = command("mnist", **{**options, "engine": None if engine == "keras" else engine})
        common = dict(what=what, command=cli, seeds=(0,), seconds=seconds)
        figures.append(figure("test accuracy", result.accuracy,
                              claim="target 97.5%" if engine == "keras" else None, **common))  # fmt: skip
        figures.append(figure("epochs run", result.epochs, fmt="{}", **common))
    return figures


def _cnn(quick, path, claim, **options):
    from deepkit.recipes import cnn

    options = {**options, **(dict(limit=600, epochs=1) if quick else {})}
    (result,), seconds = timed(cnn.run, (0,), path, **options)
    what = (
        f"keras-io convnet, {result.epochs} epochs run"
        + (f", random shifts of {options['shift']:.0%}" if options.get("shift") else "")
        + f"; {result.n_train:,} train / {result.n_test:,} test images"
    )
    return [
        figure("test accuracy", result.accuracy, claim=claim, what=what,
               command=command("cnn", **options), seeds=(0,), seconds=seconds),
    ]  # fmt: skip


def cnn(quick, path):
    """keras-io's MNIST convnet, 15 epochs without early stopping (as keras-io ran it).

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return _cnn(quick, path, "keras-io: 0.9922 (15 epochs)", patience=0)


def cnn_shift(quick, path):
    """The same convnet with random shifts of 10%, 25 epochs, early stopping (patience 4).

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return _cnn(quick, path, "target 99.2%", shift=0.1, epochs=25, patience=4)


def transfer(quick, path):
    """A CNN pretrained on digits 0-4, base frozen, new head on 5-9; the same net from scratch.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import transfer

    options = dict(limit=1200, epochs=1, low_data=100, low_data_epochs=2) if quick else {}
    (result,), seconds = timed(transfer.run, (0,), path, **options)
    common = dict(command=command("transfer", **options), seeds=(0,), seconds=seconds)
    figures = [
        figure("test accuracy on 0-4, pretrained", result.pretrain_accuracy,
               claim="Keras example: 0.998", what=f"{result.n_pretrain:,} images of 0-4", **common),
    ]  # fmt: skip
    for row in result.rows:
        what = f"digits 5-9, {row['regime']}: {row['n_train']:,} images, {row['epochs']} epochs"
        claim = "Keras example: 0.992" if row["regime"] == "all" else None
        figures += [
            figure("test accuracy on 5-9, transfer", row["transfer_accuracy"], claim=claim,
                   what=what + " (base frozen, new head)", **common),
            figure("test accuracy on 5-9, from scratch", row["scratch_accuracy"],
                   what=what + " (same budget)", **common),
        ]  # fmt: skip
    return figures


def rnn(quick, path):
    """MNIST read as 28 rows of 28 pixels by an LSTM, a GRU and a SimpleRNN (128 units),
    at the recipe's settings (chosen on the validation split).

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return [_rnn_figure(quick, path, cell) for cell in ("lstm", "gru", "simple")]


def rnn_bidirectional(quick, path):
    """MNIST rows read by a bidirectional 128-unit LSTM, at the recipe's other settings."""
    return [_rnn_figure(quick, path, "lstm", bidirectional=True)]


# The largest random translation of the shifted rows, the cnn-shift row's.
RNN_SHIFT = 0.1


def rnn_shift(quick, path):
    """MNIST rows read by a 128-unit GRU from training images moved by up to
    ``RNN_SHIFT`` of their size, at the recipe's other settings: a lever kept only if
    its validation accuracy beats the unshifted GRU's (``rnn``)."""
    return [_rnn_figure(quick, path, "gru", shift=RNN_SHIFT)]


def rnn_bidirectional_shift(quick, path):
    """MNIST rows read by a bidirectional 128-unit LSTM from training images moved by up
    to ``RNN_SHIFT`` of their size: kept only if it beats the unshifted one on validation."""
    return [_rnn_figure(quick, path, "lstm", bidirectional=True, shift=RNN_SHIFT)]


# Pixel-by-pixel MNIST on a CPU budget: 784 recurrent steps per image make an epoch
# about 28 times the row-wise one, so the run is cut to this many epochs.
PIXEL_EPOCHS = 4


def rnn_pixels(quick, path):
    """MNIST read pixel by pixel (784 steps of 1 pixel) by a 128-unit LSTM, for
    ``PIXEL_EPOCHS`` epochs (the cosine schedule spans them), at the recipe's other settings."""
    return [_rnn_figure(quick, path, "lstm", pixels=True)]


RNN_CLAIMS = {
    "lstm": "goal 99.0%; Keras's hierarchical-RNN example 0.9864",
    "gru": "goal 99.0%; Keras's hierarchical-RNN example 0.9864",
    f"gru, shift {RNN_SHIFT:g}": "goal 99.0%; Keras's hierarchical-RNN example 0.9864",
    "bidirectional lstm": "goal 99.2%",
    f"bidirectional lstm, shift {RNN_SHIFT:g}": "goal 99.2%",
    "lstm, 784 pixels": f"iRNN 0.970, LSTM 0.989 (Cooijmans et al. 2017, long training); "
    f"here a {PIXEL_EPOCHS}-epoch CPU budget",
}


def _rnn_figure(quick, path, cell, bidirectional=False, pixels=False, shift=0.0):
    from deepkit.recipes import rnn

    options = {
        "cell": cell,
        **({"bidirectional": True} if bidirectional else {}),
        **({"shift": shift} if shift else {}),
        **({"pixels": True, "epochs": PIXEL_EPOCHS} if pixels else {}),
        **(dict(units=16, epochs=1, limit=600) if quick else {}),
    }
    (result,), seconds = timed(rnn.run, (0,), path, **options)
    last, best = result.validation_accuracy
    what = (
        f"{result.network}, batch 128, {result.epochs} epochs; validation accuracy "
        f"{last:.4f} (last epoch); {result.n_train:,} train / {result.n_test:,} test images"
    )
    name = f"{'bidirectional ' if bidirectional else ''}{cell}{', 784 pixels' if pixels else ''}"
    name += f", shift {shift:g}" if shift else ""
    return figure(f"test accuracy, {name}", result.accuracy, claim=RNN_CLAIMS.get(name),
                  what=what, command=command("rnn", **options), seeds=(0,), seconds=seconds)  # fmt: skip
