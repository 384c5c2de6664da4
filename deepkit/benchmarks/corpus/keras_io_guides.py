"""Models from the keras-io developer guides (https://keras.io/guides/; source:
https://github.com/keras-team/keras-io, Apache License 2.0), as their authors wrote
them; each docstring names the sizes reduced."""

from deepkit.benchmarks.corpus.entry import CorpusModel

GUIDES = "https://keras.io/guides/"


def intro_convnet():
    """Introduction to Keras for engineers: the convnet (28x28 digits, 64 and 128
    filters)."""
    import keras

    num_classes = 10
    input_shape = (14, 14, 1)
    model = keras.Sequential(
        [
            keras.layers.Input(shape=input_shape),
            keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Conv2D(6, kernel_size=(3, 3), activation="relu"),
            keras.layers.Conv2D(6, kernel_size=(3, 3), activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="acc"),
        ],
    )
    return model


def intro_subclassed():
    """Introduction to Keras for engineers: the subclassed model with its custom
    Dense and Dropout layers (64 and 128 filters); built by a call on a batch, as
    ``fit`` builds it."""
    import keras
    import numpy as np

    class MyDense(keras.layers.Layer):
        def __init__(self, units, activation=None, name=None):
            super().__init__(name=name)
            self.units = units
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            input_dim = input_shape[-1]
            self.w = self.add_weight(
                shape=(input_dim, self.units),
                initializer=keras.initializers.GlorotNormal(),
                name="kernel",
                trainable=True,
            )

            self.b = self.add_weight(
                shape=(self.units,),
                initializer=keras.initializers.Zeros(),
                name="bias",
                trainable=True,
            )

        def call(self, inputs):
            # Use Keras ops to create backend-agnostic layers/metrics/etc.
            x = keras.ops.matmul(inputs, self.w) + self.b
            return self.activation(x)

    class MyDropout(keras.layers.Layer):
        def __init__(self, rate, name=None):
            super().__init__(name=name)
            self.rate = rate
            # Use seed_generator for managing RNG state.
            # It is a state element and its seed variable is
            # tracked as part of `layer.variables`.
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            # Use `keras.random` for random ops.
            return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)

    class MyModel(keras.Model):
        def __init__(self, num_classes):
            super().__init__()
            self.conv_base = keras.Sequential(
                [
                    keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
                    keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
                    keras.layers.MaxPooling2D(pool_size=(2, 2)),
                    keras.layers.Conv2D(6, kernel_size=(3, 3), activation="relu"),
                    keras.layers.Conv2D(6, kernel_size=(3, 3), activation="relu"),
                    keras.layers.GlobalAveragePooling2D(),
                ]
            )
            self.dp = MyDropout(0.5)
            self.dense = MyDense(num_classes, activation="softmax")

        def call(self, x):
            x = self.conv_base(x)
            x = self.dp(x)
            return self.dense(x)

    model = MyModel(num_classes=10)
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="acc"),
        ],
    )
    model(np.zeros((1, 14, 14, 1), dtype=keras.config.floatx()))
    return model


def transfer_learning_frozen_layer():
    """Transfer learning & fine-tuning: a Sequential model with its first layer frozen
    (the guide's sizes)."""
    import keras

    # Make a model with 2 layers
    layer1 = keras.layers.Dense(3, activation="relu")
    layer2 = keras.layers.Dense(3, activation="sigmoid")
    model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])

    # Freeze the first layer
    layer1.trainable = False

    # Train the model
    model.compile(optimizer="adam", loss="mse")
    return model


def functional_api_mnist():
    """The Functional API: the first model, an MLP on flattened digits (784 inputs,
    64 units)."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(16,))
    dense = layers.Dense(8, activation="relu")
    x = dense(inputs)
    x = layers.Dense(8, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    return model


def ticket_classifier():
    """The Functional API: ranks tickets by priority and routes them to a department,
    three inputs and two outputs (10,000 words, 64-wide embeddings, LSTM(128) and
    LSTM(32))."""
    import keras
    from keras import layers

    num_tags, num_words, num_departments = 12, 40, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 8)(title_input)
    body_features = layers.Embedding(num_words, 8)(body_input)
    title_features = layers.LSTM(6)(title_features)
    body_features = layers.LSTM(4)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(
        inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2],
    )
    return model


def toy_resnet():
    """The Functional API: a toy ResNet, three convolution blocks with two residual
    connections (32x32x3 images, 32 and 64 filters, Dense(256))."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(16, 16, 3), name="img")
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.Conv2D(6, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(6, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(6, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(6, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(6, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(6, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="toy_resnet")
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    return model


def multi_input_multi_output():
    """Training & evaluation with the built-in methods: an image and a time series in,
    a score and five classes out, with losses, metrics and loss weights per output
    (32x32x3 images)."""
    import keras
    from keras import layers

    image_input = keras.Input(shape=(6, 6, 3), name="img_input")
    timeseries_input = keras.Input(shape=(None, 10), name="ts_input")

    x1 = layers.Conv2D(3, 3)(image_input)
    x1 = layers.GlobalMaxPooling2D()(x1)

    x2 = layers.Conv1D(3, 3)(timeseries_input)
    x2 = layers.GlobalMaxPooling1D()(x2)

    x = layers.concatenate([x1, x2])

    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)

    model = keras.Model(
        inputs=[image_input, timeseries_input], outputs=[score_output, class_output]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "score_output": keras.losses.MeanSquaredError(),
            "class_output": keras.losses.CategoricalCrossentropy(),
        },
        metrics={
            "score_output": [
                keras.metrics.MeanAbsolutePercentageError(),
                keras.metrics.MeanAbsoluteError(),
            ],
            "class_output": [keras.metrics.CategoricalAccuracy()],
        },
        loss_weights={"score_output": 2.0, "class_output": 1.0},
    )
    return model


MODELS = [
    CorpusModel("intro_convnet", GUIDES + "intro_to_keras_for_engineers/", intro_convnet),
    CorpusModel(
        "intro_subclassed",
        GUIDES + "intro_to_keras_for_engineers/",
        intro_subclassed,
        refusals=("is a subclassed keras.Model (MyModel)",),
    ),
    CorpusModel(
        "transfer_learning_frozen_layer",
        GUIDES + "transfer_learning/",
        transfer_learning_frozen_layer,
    ),
    CorpusModel("functional_api_mnist", GUIDES + "functional_api/", functional_api_mnist),
    CorpusModel(
        "ticket_classifier",
        GUIDES + "functional_api/",
        ticket_classifier,
        integers={0: 40, 1: 40},
        steps=5,
    ),
    CorpusModel("toy_resnet", GUIDES + "functional_api/", toy_resnet),
    CorpusModel(
        "multi_input_multi_output",
        GUIDES + "training_with_built_in_methods/",
        multi_input_multi_output,
    ),
]
