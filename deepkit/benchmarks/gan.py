"""``deepkit bench gan``: one GAN epoch on MNIST, Keras vs the NumPy reference (MLP pair).

The ``gan`` recipe's MLP generator and discriminator (``deepkit.models.gan.build_gan("mlp")``)
and their NumPy references (``deepkit.reference.from_keras``, same weights, Adam with the same
settings) each train one epoch of adversarial steps (one D step, one G step per
batch of 128) on the same ``images`` MNIST training images, after a one-batch
warm-up (Keras traces its graph there); images per second and the ratio.
"""

import time
from dataclasses import dataclass

from deepkit.report import format_grid
from deepkit.validation import check_int


def add_arguments(parser):
    parser.add_argument("--images", type=int, default=60000, help="training images (one epoch)")
    parser.add_argument("--conditional", action="store_true", help="feed labels to both nets")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    result = benchmark(args.images, args.conditional, args.path, args.seed)
    print(result.report())
    return 0


@dataclass
class GanBenchmark:
    images: int
    conditional: bool
    keras_rate: float
    numpy_rate: float

    @property
    def ratio(self):
        """NumPy reference speed over Keras speed (> 1: the NumPy reference is faster)."""
        return self.numpy_rate / self.keras_rate

    def report(self):
        kind = "conditional MLP GAN" if self.conditional else "MLP GAN"
        return format_grid(
            ["engine", "images/s"],
            [["Keras", f"{self.keras_rate:.0f}"], ["NumPy reference", f"{self.numpy_rate:.0f}"]],
            title=f"{kind}, one epoch of {self.images} MNIST images, batch 128: "
            f"reference/Keras speed = {self.ratio:.2f}x",
        )


def benchmark(images=60000, conditional=False, path=None, seed=0):
    """Time one epoch of each engine on the same data and initial weights; a ``GanBenchmark``."""
    from deepkit.models.gan import build_gan
    from deepkit.recipes.gan import to_gan_range
    from deepkit.recipes.mnist_classifier import load
    from deepkit.reference import from_keras, optimizers
    from deepkit.reference import gan as reference_gan

    check_int(images, "images", min_value=128)
    (x, y), _ = load(path=path)
    x, y = to_gan_range(x[:images], "mlp"), y[:images] if conditional else None
    model = build_gan("mlp", num_classes=10 if conditional else None, seed=seed)
    reference = reference_gan.GAN(
        from_keras(model.generator), from_keras(model.discriminator), model.latent_dim,
        model.num_classes, seed=seed,
    )  # fmt: skip
    reference.compile(
        optimizers.from_keras(model.d_optimizer), optimizers.from_keras(model.g_optimizer)
    )
    rates = []
    for trainee in (model, reference):
        warm_labels = None if y is None else y[:128]
        trainee.fit(x[:128], warm_labels, batch_size=128, epochs=1, verbose=0)
        start = time.perf_counter()
        trainee.fit(x, y, batch_size=128, epochs=1, verbose=0)
        rates.append(len(x) / (time.perf_counter() - start))
    return GanBenchmark(len(x), conditional, *rates)
