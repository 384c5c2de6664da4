"""Models from the TensorFlow tutorials (https://www.tensorflow.org/tutorials; source:
https://github.com/tensorflow/docs, Apache License 2.0), as their authors wrote them
with ``tf.keras`` (here ``keras``, the same Keras 3); each docstring names the sizes
reduced. Layers the tutorials adapt on a downloaded dataset are adapted on a fixed
array, or given a fixed vocabulary."""

from deepkit.benchmarks.corpus.entry import CorpusModel

TUTORIALS = "https://www.tensorflow.org/tutorials/"


def quickstart_beginner():
    """TensorFlow 2 quickstart for beginners (28x28 digits, 128 units)."""
    import keras

    model = keras.models.Sequential(
        [
            keras.layers.Flatten(input_shape=(6, 6)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10),
        ]
    )
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    return model


def convolutional_network():
    """Convolutional Neural Network on CIFAR-10 (32x32x3 images, 32 and 64 filters,
    Dense(64))."""
    from keras import layers, losses, models

    model = models.Sequential()
    model.add(layers.Conv2D(4, (3, 3), activation="relu", input_shape=(18, 18, 3)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(6, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(6, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(8, activation="relu"))
    model.add(layers.Dense(10))
    model.compile(
        optimizer="adam",
        loss=losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def image_classification_augmented():
    """Image classification of flowers, the model with data augmentation (180x180
    images; 16, 32 and 64 filters, Dense(128))."""
    import keras
    from keras import layers

    img_height = img_width = 8
    num_classes = 5
    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal", input_shape=(img_height, img_width, 3)),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.1),
        ]
    )
    model = keras.Sequential(
        [
            data_augmentation,
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(2, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(3, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(4, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(8, activation="relu"),
            layers.Dense(num_classes, name="outputs"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def overfit_and_underfit_l2():
    """Overfit and underfit, the L2-regularized model, compiled by the tutorial's
    ``compile_and_fit`` (Higgs: 28 features, 512 units, 20 steps per epoch)."""
    import keras
    from keras import layers, regularizers

    FEATURES = 28
    STEPS_PER_EPOCH = 20
    lr_schedule = keras.optimizers.schedules.InverseTimeDecay(
        0.001, decay_steps=STEPS_PER_EPOCH * 1000, decay_rate=1, staircase=False
    )
    l2_model = keras.Sequential(
        [
            layers.Dense(
                8,
                activation="elu",
                kernel_regularizer=regularizers.l2(0.001),
                input_shape=(FEATURES,),
            ),
            layers.Dense(8, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
            layers.Dense(8, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
            layers.Dense(8, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
            layers.Dense(1),
        ]
    )
    l2_model.compile(
        optimizer=keras.optimizers.Adam(lr_schedule),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[
            keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
            "accuracy",
        ],
    )
    return l2_model


def regression_dnn():
    """Basic regression: predict fuel efficiency, the deep model after a Normalization
    layer (Auto MPG: 9 features, 64 units); adapted on a fixed array, built by a call
    on a batch as ``fit`` builds it."""
    import keras
    import numpy as np
    from keras import layers

    train_features = np.random.default_rng(0).normal(3.0, 2.0, size=(40, 9))
    normalizer = keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.array(train_features))

    def build_and_compile_model(norm):
        model = keras.Sequential(
            [norm, layers.Dense(8, activation="relu"), layers.Dense(8, activation="relu"),
             layers.Dense(1)]
        )  # fmt: skip
        model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
        return model

    dnn_model = build_and_compile_model(normalizer)
    dnn_model(train_features[:1])
    return dnn_model


def text_classification_rnn():
    """Text classification with an RNN, the bidirectional LSTM on raw strings (IMDB:
    1,000 words, 64-wide embeddings, LSTM(64), Dense(64)); the encoder is given a fixed
    vocabulary instead of adapting on the reviews, and the model is built by
    predicting a sample text, as the tutorial does."""
    import keras
    import numpy as np

    encoder = keras.layers.TextVectorization(
        max_tokens=1000, vocabulary=["the", "movie", "was", "cool", "not", "good"]
    )
    model = keras.Sequential(
        [
            encoder,
            keras.layers.Embedding(
                input_dim=len(encoder.get_vocabulary()),
                output_dim=8,
                # Use masking to handle the variable sequence lengths
                mask_zero=True,
            ),
            keras.layers.Bidirectional(keras.layers.LSTM(4)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        optimizer=keras.optimizers.Adam(1e-4),
        metrics=["accuracy"],
    )
    sample_text = (
        "The movie was cool. The animation and the graphics were out of this world. "
        "I would recommend this movie."
    )
    model(np.array([sample_text]))
    return model


MODELS = [
    CorpusModel("quickstart_beginner", TUTORIALS + "quickstart/beginner", quickstart_beginner),
    CorpusModel("convolutional_network", TUTORIALS + "images/cnn", convolutional_network),
    CorpusModel(
        "image_classification_augmented",
        TUTORIALS + "images/classification",
        image_classification_augmented,
    ),
    CorpusModel(
        "overfit_and_underfit_l2", TUTORIALS + "keras/overfit_and_underfit", overfit_and_underfit_l2
    ),
    CorpusModel("regression_dnn", TUTORIALS + "keras/regression", regression_dnn),
    CorpusModel(
        "text_classification_rnn",
        TUTORIALS + "text/text_classification_rnn",
        text_classification_rnn,
        refusals=(
            "(TextVectorization): no NumPy reference counterpart",
            "(Embedding): Embedding mask_zero=True is not implemented",
        ),
    ),
]
