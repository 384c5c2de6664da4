"""Tutorial T3's bank churn case study, step by step, with deepkit's public API.

Run it with ``python recipes/churn.py [--epochs N] [--seed N]``. Every step
calls the function that ``deepkit.recipes.churn.run()`` composes, so this
walk-through and the one-call recipe cannot drift apart.

Where T3's code no longer runs or is wrong, deepkit says so:
- ``OneHotEncoder(categorical_features=[1])`` is gone from scikit-learn; the
  preprocessor is a ColumnTransformer with the same 11 output columns.
- T3's new customer was hand-encoded as [0.0, 0, 500, 1, ...], which means
  France and Male; here the row is built from named fields (Spain, Female).
- T3 gives no seed to train_test_split; deepkit seeds everything.
"""

import argparse

from deepkit.recipes import churn
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# Steps 1-2. Import the libraries and the dataset: 10,000 customers, 14 columns.
dataset = churn.load_data()
print(dataset.head())
print(f"dataset: {dataset.shape[0]:,} rows x {dataset.shape[1]} columns")

# Step 3. Features are columns 3..12 (CreditScore .. EstimatedSalary); the target is Exited.
y = churn.labels(dataset)
print(f"{y.mean():.1%} of the customers left the bank")

# Step 4. Split into training and test sets, 80% / 20%.
train_frame, test_frame = churn.split(dataset, test_size=0.2, seed=args.seed)

# Steps 5-7. Encode Geography (one-hot, first dummy dropped) and Gender (label-encoded),
# then scale: a StandardScaler fitted on the training set only.
preprocessor, x_train, x_test = churn.preprocess(train_frame, test_frame)
y_train, y_test = churn.labels(train_frame), churn.labels(test_frame)
print("features:", ", ".join(preprocessor.get_feature_names_out()))
print("x_train:", x_train.shape, " x_test:", x_test.shape)

# Steps 8-12. Initialize the ANN: Dense(6, relu) -> Dense(6, relu) -> Dense(1, sigmoid),
# kernels 'uniform'; compile with adam, binary cross-entropy and accuracy.
set_seed(args.seed)
classifier = churn.build("tutorial", seed=args.seed)
classifier.summary()

# Step 13. Fit the ANN to the training set: batch size 10, 50 epochs.
classifier, history = churn.train(
    classifier, x_train, y_train, epochs=args.epochs, batch_size=10, verbose=2
)
print(
    f"final training log: loss {history['loss'][-1]:.4f}, acc {history['accuracy'][-1]:.4f} "
    f"(T3's log: loss 0.3384, acc 0.8605)"
)

# Step 14. Predict the test set (probability > 0.5 means "leaves") and make the confusion matrix.
metrics = churn.evaluate(classifier, x_test, y_test)
print(format_confusion_matrix(metrics["confusion_matrix"], churn.LABELS))
print("T3's confusion matrix: [[1541, 54], [230, 175]]")

# The single new customer of T3, from named fields.
probability = churn.score(classifier, preprocessor, churn.NEW_CUSTOMER)[0]
print(f"new customer {churn.NEW_CUSTOMER}")
print(f"probability of leaving {probability:.4f} -> leaves: {probability > 0.5}")

print(
    f"test accuracy {metrics['accuracy']:.4f}; T3 claimed {churn.TUTORIAL_ACCURACY}; "
    f"always predicting 'stays' scores {metrics['baseline_accuracy']:.4f}; ROC AUC {metrics['roc_auc']:.4f}"
)
