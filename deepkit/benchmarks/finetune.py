"""``deepkit bench finetune``: pictures streamed from their files, as ``deepkit finetune`` feeds
them, against the same pictures decoded into one array first; images/s of each, in one
process.

The pictures: MNIST's digits 5-9 written as PNG class folders into a temporary folder
(``--per-class`` of each, ``deepkit.image_finetune.digit_folders``), or a folder of yours
(``--images DIR``, read at 28x28 grey). The model, the same in both arms (built with the
same seed): keras-io's MNIST convnet cut below its classifier, frozen, under a new head,
as ``deepkit finetune`` trains it in phase 1 (its weights random: speed does not depend
on them).

- streamed: ``deepkit.image_pipeline.stream`` reads, decodes, resizes, preprocesses,
  batches and prefetches the files every epoch, ``deepkit.training.fit_stream`` trains;
- arrays: the same stream read once into one NumPy array, then ``deepkit.training.fit``.

Each arm first trains one batch (Keras traces its step there), then ``--epochs`` timed.
images/s = pictures x epochs / seconds, the arrays' loading counted in theirs (and shown
alone); the ratio is streamed over arrays (above 1: streaming is faster).
"""

import os
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import check_int

SIZE, CHANNELS = (28, 28), 1  # keras-io's MNIST convnet's input


def add_arguments(parser):
    parser.add_argument("--images", metavar="DIR", default=None,
                        help="a folder of pictures, one sub-folder per class (default: MNIST "
                        "digits 5-9 written as PNG files)")  # fmt: skip
    parser.add_argument("--per-class", type=int, default=500,
                        help="MNIST pictures of each digit, without --images")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs of each arm")
    parser.add_argument("--batch-size", type=int, default=32, help="deepkit finetune's default")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    result = benchmark(images=args.images, per_class=args.per_class, epochs=args.epochs,
                       batch_size=args.batch_size, path=args.path, seed=args.seed)  # fmt: skip
    print(result.report())
    return 0


@dataclass
class FinetuneBenchmark:
    """Seconds and steps of the two arms on the same pictures.

    Attributes:
        source: the pictures, in words.
        pictures: how many.
        epochs: timed epochs of each arm.
        batch_size: pictures per batch.
        streamed_seconds: the streamed arm's training.
        load_seconds: reading the pictures into one array.
        arrays_seconds: the arrays arm's training.
        array_bytes: the size of that array.
        steps: ``{arm: training steps timed}``.
        loads: the 1-minute load average before and after.
    """

    source: str
    pictures: int
    epochs: int
    batch_size: int
    streamed_seconds: float
    load_seconds: float
    arrays_seconds: float
    array_bytes: int
    steps: dict
    loads: tuple

    @property
    def trained(self):
        """Pictures trained on per arm: pictures x epochs."""
        return self.pictures * self.epochs

    @property
    def streamed_rate(self):
        return self.trained / self.streamed_seconds

    @property
    def arrays_rate(self):
        """Loading included."""
        return self.trained / (self.load_seconds + self.arrays_seconds)

    @property
    def ratio(self):
        """Streamed images/s over arrays images/s (above 1: streaming is faster)."""
        return self.streamed_rate / self.arrays_rate

    def report(self):
        rows = [
            ["streamed (deepkit finetune)", "-", f"{self.streamed_seconds:.2f}",
             f"{self.streamed_rate:,.0f}"],
            [f"arrays ({self.array_bytes / 2**20:,.1f} MB)", f"{self.load_seconds:.2f}",
             f"{self.arrays_seconds:.2f}", f"{self.arrays_rate:,.0f}"],
        ]  # fmt: skip
        title = (
            f"{self.source}: {self.pictures:,} pictures x {self.epochs} epochs, batch "
            f"{self.batch_size}, a frozen convnet under a new head"
        )
        header = ["feed", "load s", "train s", "images/s (load + train)"]
        return "\n".join(
            [
                format_grid(header, rows, title=title),
                f"streamed/arrays = {self.ratio:.2f}x (above 1: streaming is faster)",
                f"load average (1 min) before / after: {self.loads[0]:.2f} / "
                f"{self.loads[1]:.2f} on {os.cpu_count()} cores",
            ]
        )


def _timed(train):
    """``(seconds, steps)`` of ``train(callbacks)``, its training steps counted."""
    import keras

    steps = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    start = time.perf_counter()
    train([counter])
    return time.perf_counter() - start, len(steps)


def _model(seed, classes):
    import keras

    from deepkit import finetune
    from deepkit.models.convolutional import mnist_cnn

    model = finetune.new_model(mnist_cnn(num_classes=classes, seed=seed), classes, seed=seed)
    model.compile(
        keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )  # as deepkit finetune's phase 1 compiles it
    return model


def _pictures(images, per_class, path, seed, folder):
    from deepkit import images as picture_folders
    from deepkit.image_finetune.digit_folders import write_digits

    if images is not None:
        return picture_folders.scan(images), images
    written = write_digits(f"{folder}/pictures", per_class=per_class, seed=seed, path=path)
    return written, f"MNIST digits 5-9 as PNG files ({per_class} per digit)"


def benchmark(images=None, per_class=500, epochs=3, batch_size=32, path=None, seed=0):
    """Time both arms on the same pictures and model; a ``FinetuneBenchmark``."""
    from deepkit.image_pipeline import stream
    from deepkit.training import fit, fit_stream

    check_int(per_class, "per_class", min_value=1)
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="deepkit_bench_finetune_") as folder:
        pictures, source = _pictures(images, per_class, path, seed, folder)
        paths, labels = np.asarray(pictures.paths), np.asarray(pictures.labels)
        shape = dict(image_size=SIZE, channels=CHANNELS, preprocessing="rescale",
                     batch_size=batch_size)  # fmt: skip
        classes = len(pictures.class_names)
        first = slice(0, batch_size)  # the warm-up batch

        def streamed(order, rows=slice(None)):
            return stream(paths[rows], labels[rows], order=order, **shape)

        model = _model(seed, classes)
        fit_stream(model, lambda order: streamed(order, first), epochs=1, seed=seed)
        streamed_seconds, streamed_steps = _timed(
            lambda callbacks: fit_stream(model, streamed, epochs=epochs, seed=seed,
                                         callbacks=callbacks)
        )  # fmt: skip

        start = time.perf_counter()
        x = np.concatenate([batch for batch, _ in streamed(None).as_numpy_iterator()])
        load_seconds = time.perf_counter() - start
        model = _model(seed, classes)
        fit(model, x[first], labels[first], epochs=1, batch_size=batch_size, seed=seed)
        arrays_seconds, arrays_steps = _timed(
            lambda callbacks: fit(model, x, labels, epochs=epochs, batch_size=batch_size,
                                  seed=seed, callbacks=callbacks)
        )  # fmt: skip
    return FinetuneBenchmark(
        source=source,
        pictures=len(paths),
        epochs=epochs,
        batch_size=batch_size,
        streamed_seconds=streamed_seconds,
        load_seconds=load_seconds,
        arrays_seconds=arrays_seconds,
        array_bytes=x.nbytes,
        steps={"streamed": streamed_steps, "arrays": arrays_steps},
        loads=(load_before, os.getloadavg()[0]),
    )
