"""
Title: Bank customer churn with an artificial neural network
Source: tutorial T3, "Artificial Neural Networks" churn case study (../shared/TUTORIALS.md)
Description: An 11-6-6-1 network predicts which of a bank's 10,000 customers leave.

The network of deepkit's ``churn`` recipe (``deepkit run churn``), written out step by step.
Where T3's code no longer runs or is wrong, deepkit says so:
- ``OneHotEncoder(categorical_features=[1])`` is gone from scikit-learn; the
  preprocessor is a ColumnTransformer with the same 11 output columns.
- T3's new customer was hand-encoded as [0.0, 0, 500, 1, ...], which means
  France and Male; here the row is built from named fields (Spain, Female).
- T3 gives no seed to train_test_split; deepkit seeds everything.
Run: ``python recipes/churn.py [--epochs N] [--seed N]``.
"""

"""
## Setup
"""

import argparse

import keras

from deepkit.recipes import churn
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="Bank customer churn with an ANN")
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

BATCH_SIZE = 10
TEST_SIZE = 0.2

"""
## Load the data

10,000 customers, 14 columns; the features are CreditScore .. EstimatedSalary, the target
is Exited.
"""

dataset = churn.load_data()
print(dataset.head())
print(f"dataset: {dataset.shape[0]:,} rows x {dataset.shape[1]} columns")
y = churn.labels(dataset)
print(f"{y.mean():.1%} of the customers left the bank")

"""
## Split, encode and scale

80% / 20%; Geography one-hot (first dummy dropped), Gender label-encoded, then a
StandardScaler fitted on the training set only.
"""

train_frame, test_frame = churn.split(dataset, test_size=TEST_SIZE, seed=args.seed)
preprocessor, x_train, x_test = churn.preprocess(train_frame, test_frame)
y_train, y_test = churn.labels(train_frame), churn.labels(test_frame)
print("features:", ", ".join(preprocessor.get_feature_names_out()))
print("x_train:", x_train.shape, " x_test:", x_test.shape)

"""
## Build the model

T3's ANN: Dense(6, relu) -> Dense(6, relu) -> Dense(1, sigmoid), kernels 'uniform';
adam, binary cross-entropy and accuracy.
"""

set_seed(args.seed)
model = keras.Sequential(
    [
        keras.Input(shape=(x_train.shape[1],)),
        keras.layers.Dense(6, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dense(6, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="uniform"),
    ]
)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()

"""
## Train the model

Batch size 10, 50 epochs, rows in an order set by (seed, epoch); each epoch runs as one
XLA-compiled graph call (``feed="xla"``), far faster than a Python step per batch of 10.
"""

model, history = churn.train(
    model,
    x_train,
    y_train,
    epochs=args.epochs,
    batch_size=BATCH_SIZE,
    seed=args.seed,
    feed="xla",
    verbose=2,
)
print(
    f"final training log: loss {history['loss'][-1]:.4f}, acc {history['accuracy'][-1]:.4f} "
    f"(T3's log: loss 0.3384, acc 0.8605)"
)

"""
## Evaluate

Probability > 0.5 means "leaves"; the confusion matrix, and T3's single new customer.
"""

metrics = churn.evaluate(model, x_test, y_test)
print(format_confusion_matrix(metrics["confusion_matrix"], churn.LABELS))
print("T3's confusion matrix: [[1541, 54], [230, 175]]")
probability = churn.score(model, preprocessor, churn.NEW_CUSTOMER)[0]
print(f"new customer {churn.NEW_CUSTOMER}")
print(f"probability of leaving {probability:.4f} -> leaves: {probability > 0.5}")
print(
    f"test accuracy {metrics['accuracy']:.4f}; T3 claimed {churn.TUTORIAL_ACCURACY}; "
    f"always predicting 'stays' scores {metrics['baseline_accuracy']:.4f}; "
    f"ROC AUC {metrics['roc_auc']:.4f}"
)
