"""Train T1's MNIST MLP (784-32-10, no dropout) for one epoch on the test subset with
deepkit.training.fit under a tf.distribute strategy; save the weights as .npz.

    python tests/scripts/train_mlp.py OUT.npz --strategy mirrored --cpu-replicas 2
    TF_CONFIG=... python tests/scripts/train_mlp.py OUT.npz --strategy multiworker
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--strategy", default="default")
parser.add_argument("--cpu-replicas", type=int, default=1)
parser.add_argument("--images", type=int, default=2000)
parser.add_argument("--epochs", type=int, default=1)
args = parser.parse_args()

import numpy as np  # noqa: E402

from deepkit import distribute, training  # noqa: E402
from deepkit.models import mnist_mlp  # noqa: E402
from deepkit.recipes.mnist_classifier import load, prepare  # noqa: E402
from deepkit.seeding import set_seed  # noqa: E402

if args.cpu_replicas > 1:
    distribute.split_cpu(args.cpu_replicas)
subset = os.path.join(os.path.dirname(__file__), "..", "data", "mnist_subset.npz")
(x, y), _ = load(path=subset)
x, y = prepare(x[: args.images], flat=True), y[: args.images]
set_seed(0)
strategy = distribute.get_strategy(args.strategy)
with strategy.scope():
    model = mnist_mlp("t1", seed=0)
model, history = training.fit(
    model, x, y, epochs=args.epochs, batch_size=100, seed=0, feed=strategy
)
np.savez(args.out, *model.get_weights(), replicas=strategy.num_replicas_in_sync)
print(f"replicas {strategy.num_replicas_in_sync} loss {history['loss'][-1]:.6f}")
