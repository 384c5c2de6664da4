"""Models from the keras-io code examples (https://keras.io/examples/; source:
https://github.com/keras-team/keras-io, Apache License 2.0), as their authors wrote
them; each docstring names the sizes reduced (input sizes, filters, units, vocabularies).

(One concept, keras-io's code examples, over about 380 lines: each model is its
authors' code.)
"""

from deepkit.benchmarks.corpus.entry import CorpusModel

EXAMPLES = "https://keras.io/examples/"


def mnist_convnet():
    """Simple MNIST convnet (28x28 digits, 32 and 64 filters)."""
    import keras
    from keras import layers

    num_classes = 10
    input_shape = (10, 10, 1)
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(6, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def dcgan_discriminator():
    """DCGAN to generate face images: the discriminator (64x64x3 images, 64 and 128
    filters). The example compiles the GAN around it with Adam(learning_rate=0.0001)
    and BinaryCrossentropy(); the discriminator is compiled with them here."""
    import keras
    from keras import layers

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 3)),
            layers.Conv2D(4, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(6, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(6, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )
    discriminator.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss=keras.losses.BinaryCrossentropy(),
    )
    return discriminator


def dcgan_generator():
    """DCGAN to generate face images: the generator (latent_dim 128, an 8x8x128 seed,
    128, 256 and 512 filters), compiled as the discriminator above."""
    import keras
    from keras import layers

    latent_dim = 8
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(2 * 2 * 8),
            layers.Reshape((2, 2, 8)),
            layers.Conv2DTranspose(4, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(6, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(8, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    generator.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss=keras.losses.BinaryCrossentropy(),
    )
    return generator


def denoising_autoencoder():
    """Convolutional autoencoder for image denoising (28x28 digits, 32 filters)."""
    from keras import layers
    from keras.models import Model

    input = layers.Input(shape=(8, 8, 1))
    # Encoder
    x = layers.Conv2D(4, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(4, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(4, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(4, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def image_classification_from_scratch():
    """Image classification from scratch, the small Xception (180x180 images; 32, 64,
    128, 256, 512, 728 and 1024 filters), for two classes as in the example."""
    import keras
    from keras import layers

    def make_model(input_shape, num_classes):
        inputs = keras.Input(shape=input_shape)

        # Entry block
        x = layers.Rescaling(1.0 / 255)(inputs)
        x = layers.Conv2D(4, 3, strides=2, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        x = layers.Conv2D(6, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        previous_block_activation = x  # Set aside residual

        for size in [4, 6, 8, 10]:
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)

            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

            # Project residual
            residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
            x = layers.add([x, residual])  # Add back residual
            previous_block_activation = x  # Set aside next residual

        x = layers.SeparableConv2D(12, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)

        x = layers.GlobalAveragePooling2D()(x)
        if num_classes == 2:
            activation = "sigmoid"
            units = 1
        else:
            activation = "softmax"
            units = num_classes

        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(units, activation=activation)(x)
        return keras.Model(inputs, outputs)

    model = make_model(input_shape=(8, 8) + (3,), num_classes=2)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        jit_compile=True,  # Enable XLA compilation for faster execution
    )
    return model


def timeseries_anomaly_detection():
    """Timeseries anomaly detection using an autoencoder (288 timesteps, 32 and 16
    filters)."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            layers.Input(shape=(16, 1)),
            layers.Conv1D(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1D(filters=3, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(
                filters=3, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Dropout(rate=0.2),
            layers.Conv1DTranspose(
                filters=4, kernel_size=7, padding="same", strides=2, activation="relu"
            ),
            layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return model


def timeseries_classification_from_scratch():
    """Timeseries classification from scratch, the fully convolutional network (FordA:
    500 timesteps, 64 filters)."""
    import keras

    num_classes = 2

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)

        conv1 = keras.layers.Conv1D(filters=4, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)

        conv2 = keras.layers.Conv1D(filters=4, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)

        conv3 = keras.layers.Conv1D(filters=4, kernel_size=3, padding="same")(conv2)
        conv3 = keras.layers.BatchNormalization()(conv3)
        conv3 = keras.layers.ReLU()(conv3)

        gap = keras.layers.GlobalAveragePooling1D()(conv3)

        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=(12, 1))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def bidirectional_lstm_imdb():
    """Bidirectional LSTM on IMDB (20,000 words, 128-wide embeddings, LSTM(64))."""
    import keras
    from keras import layers

    max_features = 64
    # Input for variable-length sequences of integers
    inputs = keras.Input(shape=(None,), dtype="int32")
    # Embed each integer in a 128-dimensional vector
    x = layers.Embedding(max_features, 8)(inputs)
    # Add 2 bidirectional LSTMs
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(4))(x)
    # Add a classifier
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def text_classification_from_scratch():
    """Text classification from scratch, the 1D convnet on word indices (20,000 words,
    128-wide embeddings, 128 filters and units); the TextVectorization layer runs on
    the dataset, outside the model, as in the example."""
    import keras
    from keras import layers

    max_features, embedding_dim = 128, 8
    # A integer input for vocab indices.
    inputs = keras.Input(shape=(None,), dtype="int64")

    # Next, we add a layer to map those vocab indices into a space of dimensionality
    # 'embedding_dim'.
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)

    # Conv1D + global max pooling
    x = layers.Conv1D(8, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(8, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)

    # We add a vanilla hidden layer:
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.5)(x)

    # We project onto a single unit output layer, and squash it with a sigmoid:
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)

    model = keras.Model(inputs, predictions)

    # Compile the model with binary crossentropy loss and an adam optimizer.
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def imbalanced_classification():
    """Imbalanced classification: credit card fraud detection (30 features, 256 units)."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(30,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    metrics = [
        keras.metrics.FalseNegatives(name="fn"),
        keras.metrics.FalsePositives(name="fp"),
        keras.metrics.TrueNegatives(name="tn"),
        keras.metrics.TruePositives(name="tp"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics
    )
    return model


MODELS = [
    CorpusModel("mnist_convnet", EXAMPLES + "vision/mnist_convnet/", mnist_convnet),
    CorpusModel(
        "dcgan_discriminator",
        EXAMPLES + "generative/dcgan_overriding_train_step/",
        dcgan_discriminator,
    ),
    CorpusModel(
        "dcgan_generator",
        EXAMPLES + "generative/dcgan_overriding_train_step/",
        dcgan_generator,
    ),
    CorpusModel(
        "denoising_autoencoder",
        EXAMPLES + "vision/autoencoder/",
        denoising_autoencoder,
    ),
    CorpusModel(
        "image_classification_from_scratch",
        EXAMPLES + "vision/image_classification_from_scratch/",
        image_classification_from_scratch,
    ),
    CorpusModel(
        "timeseries_anomaly_detection",
        EXAMPLES + "timeseries/timeseries_anomaly_detection/",
        timeseries_anomaly_detection,
    ),
    CorpusModel(
        "timeseries_classification_from_scratch",
        EXAMPLES + "timeseries/timeseries_classification_from_scratch/",
        timeseries_classification_from_scratch,
    ),
    CorpusModel(
        "bidirectional_lstm_imdb",
        EXAMPLES + "nlp/bidirectional_lstm_imdb/",
        bidirectional_lstm_imdb,
        integers={0: 64},
    ),
    CorpusModel(
        "text_classification_from_scratch",
        EXAMPLES + "nlp/text_classification_from_scratch/",
        text_classification_from_scratch,
        integers={0: 128},
        steps=25,
    ),
    CorpusModel(
        "imbalanced_classification",
        EXAMPLES + "structured_data/imbalanced_classification/",
        imbalanced_classification,
    ),
]
