"""Train T1's MNIST MLP (784-32-10, no dropout) for one epoch on the test subset with
deepkit.training.fit under a tf.distribute strategy; save the weights as .npz.

    python tests/scripts/train_mlp.py OUT.npz --strategy mirrored --cpu-replicas 2
    TF_CONFIG=... python tests/scripts/train_mlp.py OUT.npz --strategy multiworker

``train`` runs the same training in the calling process (one device needs no setting
made before TensorFlow starts).
"""

import argparse
import os

SUBSET = os.path.join(os.path.dirname(__file__), "..", "data", "mnist_subset.npz")


def train(strategy_name="default", images=2000, epochs=1):
    """(replicas in sync, the trained weights) of the MLP under the named strategy."""
    from deepkit import distribute, training
    from deepkit.models import mnist_mlp
    from deepkit.recipes.mnist_classifier import load, prepare
    from deepkit.seeding import set_seed

    (x, y), _ = load(path=SUBSET)
    x, y = prepare(x[:images], flat=True), y[:images]
    set_seed(0)
    strategy = distribute.get_strategy(strategy_name)
    with strategy.scope():
        model = mnist_mlp("t1", seed=0)
    model, history = training.fit(model, x, y, epochs=epochs, batch_size=100, seed=0, feed=strategy)
    print(f"replicas {strategy.num_replicas_in_sync} loss {history['loss'][-1]:.6f}")
    return strategy.num_replicas_in_sync, model.get_weights()


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--strategy", default="default")
    parser.add_argument("--cpu-replicas", type=int, default=1)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()

    import numpy as np

    from deepkit import distribute

    if args.cpu_replicas > 1:
        distribute.split_cpu(args.cpu_replicas)  # before TensorFlow makes its devices
    replicas, weights = train(args.strategy, args.images, args.epochs)
    np.savez(args.out, *weights, replicas=replicas)
