"""Deep belief nets, as tutorial T3 describes them, step by step with deepkit's public API.

Run it with ``python recipes/dbn.py [--sizes 500 500 2000] [--pretrain-epochs N]
[--finetune-epochs N] [--limit N] [--path FILE] [--seed N]``.

T3's story: a restricted Boltzmann machine has a visible and a hidden layer and
no connections inside a layer; it learns without labels to reconstruct its
input. A deep belief net stacks RBMs, each trained greedily on the hidden
activations of the one below, and then fine-tunes the whole stack with labels by
backpropagation; T3 presents this as an answer to vanishing gradients.
"""

import argparse

from deepkit.models.dbn import pretrain
from deepkit.recipes import dbn as recipe
from deepkit.recipes import mnist_steps
from deepkit.seeding import set_seed
from deepkit.training import carve_validation

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--sizes", type=int, nargs="+", default=[500, 500, 2000])
parser.add_argument("--pretrain-epochs", type=int, default=10)
parser.add_argument("--finetune-epochs", type=int, default=30)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz (default: Keras's cache)")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# 1. The data: grey levels in [0, 1], read by the RBMs as probabilities that a
#    pixel is on. 10% of the training images are held out for validation.
(x_train, y_train), (x_test, y_test) = mnist_steps.load(args.limit, args.path)
x_train, x_test = mnist_steps.prepare(x_train, True), mnist_steps.prepare(x_test, True)
(x_fit, y_fit), validation = carve_validation(x_train, y_train, 0.1, seed=args.seed)
print("training", x_fit.shape, "validation", validation[0].shape, "test", x_test.shape)

# 2. Greedy, unsupervised pretraining: the first RBM learns the pixels, every
#    next one the hidden probabilities p(h | v) of the one below. Contrastive
#    divergence (CD-1): raise the probability of the data, lower that of the
#    model's own one-step reconstructions. No label is used here, so every
#    training image takes part, the validation ones included.
set_seed(args.seed)
rbms = pretrain(x_train, args.sizes, epochs=args.pretrain_epochs, seed=args.seed, verbose=2)
first = rbms[0]
print("first RBM reconstruction error:", round(first.reconstruction_error(x_test[:1000]), 2))

# 3. How good a model of the digits is the first RBM? Its average test
#    log-likelihood of binarized images, log p(v) = -F(v) - log Z, with the
#    partition function Z estimated by annealed importance sampling.
log_likelihood, error, log_z = recipe.ais_log_likelihood(
    first, x_train, x_test, n_runs=100, n_betas=14500, seed=args.seed
)
print(f"log Z = {log_z:.2f} +- {error:.2f}; test log-likelihood {log_likelihood:.2f} nats")

# 4. Supervised fine-tuning: a keras.Sequential of sigmoid Dense layers that
#    start from the RBM weights, plus a softmax head, trained by backprop. The
#    same net from random init, with the same budget, is the comparison. Each
#    init keeps the learning rate (of 0.1 and 0.01) that does best on the
#    validation split: a random-init sigmoid net stays at chance at 0.1.
errors, rates, _, _ = recipe.compare_inits(
    rbms,
    args.sizes,
    ((x_fit, y_fit), validation, (x_test, y_test)),
    learning_rates=(0.1, 0.01),
    epochs=args.finetune_epochs,
    batch_size=100,
    patience=5,
    seed=args.seed,
    verbose=2,
)
for init, error in errors.items():
    print(f"test error, {init} (learning rate {rates[init]}): {100 * error:.2f}%")
print("(Hinton & Salakhutdinov 2006: 1.2% for 784-500-500-2000 with backprop fine-tuning)")
