"""Recurrent networks: a sequence classifier and a sequence forecaster.

Each recurrent layer reads a sequence (timesteps, features) step by step,
``h_t = cell(x_t, h_{t-1})`` (SimpleRNN: tanh(x W + h U + b); LSTM and GRU: gated),
and passes its last state (or every state, to a stacked layer) on. Both builders
return real ``keras.Sequential`` models that fit, save as ``.keras`` and load.
"""

import keras

from deepkit.models._checks import check_optional_seed, check_rate, is_count, optimizer_with_rate
from deepkit.validation import InputError, check_int

CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple": keras.layers.SimpleRNN}


def rnn_classifier(
    cell="lstm",
    units=128,
    timesteps=28,
    features=28,
    num_classes=10,
    *,
    bidirectional=False,
    dropout=0.0,
    recurrent_dropout=0.0,
    shift=0.0,
    optimizer="adam",
    learning_rate=None,
    seed=None,
    name=None,
):
    """A recurrent classifier: Input (timesteps, features) -> recurrent layer(s) -> Dense(num_classes, softmax).

    Compiled with ``optimizer``, sparse categorical cross-entropy and accuracy.

    Args:
        cell: "lstm", "gru" or "simple" (SimpleRNN).
        units: width of the recurrent layer, or a list of widths for stacked layers
            (all but the last return their whole sequence); ints >= 1.
        timesteps: the length of the input sequences, an int >= 1.
        features: the number of values per time step, an int >= 1.
        num_classes: the number of classes, an int >= 2.
        bidirectional: wrap each recurrent layer in ``Bidirectional`` (concatenated).
        dropout: the recurrent layers' own dropout rate on their inputs (one mask per
            sequence, as Keras draws it), in [0, 1).
        recurrent_dropout: their dropout rate on their previous state (one mask per
            sequence), in [0, 1).
        shift: read each sequence as an image (timesteps rows of features) and move it
            by up to ``shift`` of its height and width, in training only
            (``RandomTranslation``, zeros filled in); a fraction in [0, 1) (0: none).
        optimizer: a Keras optimizer name or object.
        learning_rate: overrides the optimizer's default (a number > 0; optimizer
            given by name).
        seed: seeds every initializer (``seed + i`` per layer) and dropout; an int
            in [0, 2**32 - 1], or None.
        name: the model's name (default ``"<cell>_classifier"``).

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for any argument out of range, before any layer is built.

    Example:

    ```python
    # MNIST row by row: 28 timesteps of 28 pixels
    model = rnn_classifier("lstm", 128, 28, 28, 10, seed=0)
    model.fit(x_train.reshape(-1, 28, 28), y_train, epochs=5)
    ```
    """
    num_classes = check_int(num_classes, "num_classes", min_value=2)
    seed = check_optional_seed(seed)
    shift = check_rate(shift, "shift")
    optimizer = optimizer_with_rate(optimizer, learning_rate)
    layers = _recurrent_stack(
        cell, units, ("timesteps", timesteps), features, bidirectional, dropout,
        recurrent_dropout, seed,
    )  # fmt: skip
    if shift > 0:
        image = (timesteps, features)
        layers[1:1] = [
            keras.layers.Reshape((*image, 1)),
            keras.layers.RandomTranslation(
                shift, shift, fill_mode="constant", seed=None if seed is None else seed + 100,
                name="shift",
            ),
            keras.layers.Reshape(image),
        ]  # fmt: skip
    head = keras.layers.Dense(
        num_classes, activation="softmax", kernel_initializer=_seeded("glorot_uniform", seed, 99)
    )
    model = keras.Sequential(layers + [head], name=name or f"{cell}_classifier")
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def rnn_forecaster(
    cell="lstm",
    units=32,
    window=24,
    features=1,
    horizon=1,
    *,
    bidirectional=False,
    dropout=0.0,
    recurrent_dropout=0.0,
    optimizer="adam",
    learning_rate=None,
    loss="mse",
    seed=None,
    name=None,
):
    """A recurrent forecaster: Input (window, features) -> recurrent layer(s) -> Dense(horizon).

    It predicts the next ``horizon`` values of a series from its last ``window`` values;
    compiled with ``loss`` (mean squared error) and mean absolute error.

    Args:
        cell: "lstm", "gru" or "simple" (as in ``rnn_classifier``).
        units: the recurrent width, or a list of widths (as in ``rnn_classifier``).
        window: the number of past values read, an int >= 1.
        features: the number of values per time step, an int >= 1.
        horizon: the number of future values predicted, an int >= 1.
        bidirectional: wrap each recurrent layer in ``Bidirectional`` (as in ``rnn_classifier``).
        dropout: the recurrent layers' input dropout (as in ``rnn_classifier``).
        recurrent_dropout: their state dropout (as in ``rnn_classifier``).
        optimizer: a Keras optimizer name or object.
        learning_rate: overrides the optimizer's default (as in ``rnn_classifier``).
        loss: passed to ``compile`` (default mean squared error).
        seed: seeds every initializer and dropout (as in ``rnn_classifier``).
        name: the model's name.

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for any argument out of range, before any layer is built.

    Example:

    ```python
    # the next 12 monthly values from the last 24
    model = rnn_forecaster("gru", 32, 24, 1, 12, seed=0)
    model.fit(windows, targets, epochs=50)
    ```
    """
    horizon = check_int(horizon, "horizon", min_value=1)
    seed = check_optional_seed(seed)
    optimizer = optimizer_with_rate(optimizer, learning_rate)
    layers = _recurrent_stack(
        cell, units, ("window", window), features, bidirectional, dropout, recurrent_dropout, seed
    )
    head = keras.layers.Dense(horizon, kernel_initializer=_seeded("glorot_uniform", seed, 99))
    model = keras.Sequential(layers + [head], name=name or f"{cell}_forecaster")
    model.compile(optimizer=optimizer, loss=loss, metrics=["mae"])
    return model


def _recurrent_stack(cell, units, length, features, bidirectional, dropout, rec_dropout, seed):
    """[Input, recurrent layer, ...] after checking every argument (``InputError``);
    ``length`` is the sequence length's (name, value), ``seed`` already checked."""
    if not isinstance(cell, str) or cell not in CELLS:
        raise InputError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    widths = list(units) if isinstance(units, (list, tuple)) else [units]
    if not widths or not all(map(is_count, widths)):
        raise InputError(f"units must be a positive int or a list of them, got {units!r}")
    widths = [int(width) for width in widths]
    timesteps = check_int(length[1], length[0], min_value=1)
    features = check_int(features, "features", min_value=1)
    dropout = check_rate(dropout, "dropout")
    rec_dropout = check_rate(rec_dropout, "recurrent_dropout")
    layers = [keras.Input((timesteps, features))]
    for i, width in enumerate(widths):
        layer = CELLS[cell](
            width,
            return_sequences=i < len(widths) - 1,
            dropout=dropout,
            recurrent_dropout=rec_dropout,
            kernel_initializer=_seeded("glorot_uniform", seed, 2 * i),
            recurrent_initializer=_seeded("orthogonal", seed, 2 * i + 1),
            seed=None if seed is None else seed + i,
        )
        layers.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    return layers


def _seeded(name, seed, offset):
    initializer = keras.initializers.get(name)
    if seed is None:
        return initializer
    return type(initializer).from_config({**initializer.get_config(), "seed": seed + offset})
