"""Models from the examples in Keras's own docstrings (https://github.com/keras-team/keras,
Apache License 2.0), at their sizes."""

from deepkit.benchmarks.corpus.entry import CorpusModel

KERAS = "https://github.com/keras-team/keras/blob/master/keras/src/layers/"


def embedding_docstring():
    """``keras.layers.Embedding``: an Embedding alone, built by predicting a batch."""
    import keras
    import numpy as np

    model = keras.Sequential()
    model.add(keras.layers.Embedding(1000, 64))
    # The model will take as input an integer matrix of size (batch,
    # input_length), and the largest integer (i.e. word index) in the input
    # should be no larger than 999 (vocabulary size).
    input_array = np.random.randint(1000, size=(32, 10))
    model.compile("rmsprop", "mse")
    model(input_array)  # the docstring's model.predict(input_array) builds it so
    return model


def bidirectional_docstring():
    """``keras.layers.Bidirectional``: with a custom backward layer."""
    from keras import Input, Sequential
    from keras.layers import LSTM, Bidirectional, Dense

    forward_layer = LSTM(10, return_sequences=True)
    backward_layer = LSTM(10, activation="relu", return_sequences=True, go_backwards=True)
    model = Sequential(
        [
            Input(shape=(5, 10)),
            Bidirectional(forward_layer, backward_layer=backward_layer),
            Dense(5, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    return model


MODELS = [
    CorpusModel(
        "embedding_docstring",
        KERAS + "core/embedding.py",
        embedding_docstring,
        integers={0: 1000},
        steps=10,
    ),
    CorpusModel(
        "bidirectional_docstring",
        KERAS + "rnn/bidirectional.py",
        bidirectional_docstring,
    ),
]
