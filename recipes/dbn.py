"""
Title: Deep belief net on MNIST
Source: tutorial T3's restricted Boltzmann machines and deep belief nets (../shared/TUTORIALS.md); Hinton & Salakhutdinov, "Reducing the dimensionality of data with neural networks", Science 2006
Description: RBMs pretrained greedily without labels, then fine-tuned with labels; about 1.2% test error for 784-500-500-2000.

The network of deepkit's ``dbn`` recipe (``deepkit run dbn``), written out. A
restricted Boltzmann machine has a visible and a hidden layer and no connections inside
a layer; it learns without labels to reconstruct its input. A deep belief net stacks
RBMs, each trained on the hidden activations of the one below, then fine-tunes the
whole stack with labels by backpropagation; T3 presents this as an answer to vanishing
gradients. Run: ``python recipes/dbn.py [--sizes 500 500 2000] [--pretrain-epochs N]
[--finetune-epochs N] [--limit N] [--path FILE]``.
"""

"""
## Setup
"""

import argparse

import keras

from deepkit import training
from deepkit.models.dbn import pretrain
from deepkit.recipes.dbn import ais_log_likelihood, error_rate
from deepkit.recipes.mnist_classifier import carve, load, prepare
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="Deep belief net on MNIST")
parser.add_argument("--sizes", type=int, nargs="+", default=[500, 500, 2000])
parser.add_argument("--pretrain-epochs", type=int, default=10)
parser.add_argument("--finetune-epochs", type=int, default=30)
parser.add_argument("--ais-betas", type=int, default=14500, help="AIS distributions")
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
args = parser.parse_args()

NUM_CLASSES = 10
BATCH_SIZE = 100
RBM_LEARNING_RATE = 0.1
FINETUNE_LEARNING_RATES = (0.1, 0.01)
PATIENCE = 5
AIS_RUNS = 100
SEED = 0

"""
## Prepare the data

Grey levels in [0, 1], read by the RBMs as the probabilities that the pixels are on;
10% of the training images are held out for validation.
"""

(x_train, y_train), (x_test, y_test) = load(args.limit, args.path)
x_train, x_test = prepare(x_train, flat=True), prepare(x_test, flat=True)
(x_fit, y_fit), validation = carve(x_train, y_train, 0.1, SEED)
print("training", x_fit.shape, "validation", validation[0].shape, "test", x_test.shape)

"""
## Pretrain the RBMs

Greedy and unsupervised: the first RBM learns the pixels, every next one the hidden
probabilities p(h | v) of the one below. Contrastive divergence (CD-1) raises the
probability of the data and lowers that of the model's own one-step reconstructions.
No label is used, so every training image takes part, the validation ones included.
"""

set_seed(SEED)
rbms = pretrain(
    x_train,
    args.sizes,
    epochs=args.pretrain_epochs,
    batch_size=BATCH_SIZE,
    learning_rate=RBM_LEARNING_RATE,
    seed=SEED,
    verbose=2,
)
first = rbms[0]
print("first RBM reconstruction error:", round(first.reconstruction_error(x_test), 2))

"""
## How good a model of the digits is the first RBM?

Its average test log-likelihood of binarized images, log p(v) = -F(v) - log Z, with
the partition function Z estimated by annealed importance sampling.
"""

log_likelihood, stderr, log_z = ais_log_likelihood(
    first, x_train, x_test, n_runs=AIS_RUNS, n_betas=args.ais_betas, seed=SEED
)
print(f"log Z = {log_z:.2f} +- {stderr:.2f}; test log-likelihood {log_likelihood:.2f} nats")

"""
## Build the model

Sigmoid layers that compute each RBM's p(h | v), started from its weights (or at
random, for the comparison), and a softmax head.
"""


def build_model(rbms=None, learning_rate=0.1):
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [keras.Input(shape=(x_train.shape[1],))]
        + [keras.layers.Dense(size, activation="sigmoid") for size in args.sizes]
        + [keras.layers.Dense(NUM_CLASSES, activation="softmax")]
    )
    for layer, rbm in zip(model.layers, rbms or []):
        layer.set_weights([keras.ops.convert_to_numpy(w) for w in (rbm.kernel, rbm.hidden_bias)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


"""
## Fine-tune with labels

Backprop from the RBM weights, and the same net from random init with the same budget.
Each init keeps the learning rate that does best on the validation split (a
random-init sigmoid net stays at chance at 0.1); the test set scores the kept net once.
"""

models, errors = {}, {}
for init, stack in (("pretrained", rbms), ("random init", None)):
    best_accuracy = -1.0
    for rate in FINETUNE_LEARNING_RATES:
        candidate, history = training.fit(
            build_model(stack, rate),
            x_fit,
            y_fit,
            epochs=args.finetune_epochs,
            batch_size=BATCH_SIZE,
            validation_data=validation,
            patience=PATIENCE,
            monitor="val_accuracy",
            seed=SEED,
            verbose=2,
        )
        if max(history["val_accuracy"]) > best_accuracy:
            best_accuracy, models[init] = max(history["val_accuracy"]), candidate
            chosen_rate = rate
    errors[init] = error_rate(models[init], x_test, y_test)
    print(f"{init}: learning rate {chosen_rate}, test error {100 * errors[init]:.2f}%")
model = models["pretrained"]

"""
## Evaluate

Hinton & Salakhutdinov 2006: 1.2% test error for 784-500-500-2000 with backprop
fine-tuning; the random init shows what pretraining adds.
"""

for init, error in errors.items():
    print(f"Test accuracy ({init}): {1 - error:.4f}")
