"""A saved image classifier: what a person needs to use it, in one folder.

``deepkit finetune ... --save-dir DIR`` writes::

    DIR/model.keras        the fine-tuned network (loaded in Keras's safe mode)
    DIR/classifier.json    {"class_names": [...], "image_size": [h, w], "channels": 3,
                            "preprocessing": "mobilenet_v2", "base": ..., ...}

The class names are in the order of the network's outputs; the preprocessing names
the ``keras.applications`` family whose ``preprocess_input`` the pictures go
through before the network (or ``none``/``rescale``), so a picture is prepared for
prediction exactly as it was for training. Both files are written atomically.

    classifier = load("DIR")
    table = classifier.predict(["cat.jpg", "more_pictures/"], top=3)   # a DataFrame

``deepkit predict images DIR PATH...`` prints that table and ``--out FILE`` writes it
as CSV.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np

from deepkit.validation import InputError, check_int

MODEL_FILE = "model.keras"
CLASSIFIER_FILE = "classifier.json"
BUNDLE_FILES = (MODEL_FILE, CLASSIFIER_FILE)
FORMAT = "deepkit image classifier"


@dataclasses.dataclass
class ImageClassifier:
    """A network and what its pictures need: class names, input size, preprocessing.

    Attributes:
        model: the ``keras.Model`` (softmax over ``class_names``).
        class_names: the classes, in the order of the model's outputs.
        image_size: ``(height, width)`` pictures are resized to.
        channels: 1 (grey), 3 (RGB) or 4 (RGBA).
        preprocessing: one of ``deepkit.image_pipeline.PREPROCESSING``.
        about: other facts kept in the JSON (the base, the validation accuracy...).
    """

    model: object
    class_names: tuple
    image_size: tuple
    channels: int
    preprocessing: str
    about: dict = dataclasses.field(default_factory=dict)

    def description(self):
        """The JSON description, without the model."""
        return {
            "format": FORMAT,
            "model": MODEL_FILE,
            "class_names": list(self.class_names),
            "image_size": list(self.image_size),
            "channels": self.channels,
            "preprocessing": self.preprocessing,
            **self.about,
        }

    def save(self, directory):
        """Write ``model.keras`` then ``classifier.json`` into ``directory`` (made if absent).

        Args:
            directory: the folder.

        Returns:
            The folder, a ``Path``.
        """
        from deepkit.atomic import atomic_write, write_json_atomic

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_write(directory / MODEL_FILE) as temporary:
            self.model.save(temporary)
        write_json_atomic(directory / CLASSIFIER_FILE, self.description(), indent=2)
        return directory

    def probabilities(self, paths, batch_size=32):
        """The model's probabilities for the pictures ``paths``, one row each.

        Args:
            paths: picture files (checked by the caller).
            batch_size: pictures per batch.

        Returns:
            A float array ``(len(paths), len(class_names))``.
        """
        from deepkit.image_pipeline import stream

        data = stream(
            paths,
            image_size=self.image_size,
            channels=self.channels,
            preprocessing=self.preprocessing,
            batch_size=batch_size,
        )
        return np.asarray(self.model.predict(data, verbose=0), dtype="float64")

    def predict(self, sources, *, top=3, skip_bad_images=False, batch_size=32):
        """Each picture's ``top`` most likely classes, with their probabilities.

        Args:
            sources: picture files and folders of pictures (walked, sorted).
            top: the classes per picture (at most the number of classes).
            skip_bad_images: leave out files that are not readable pictures instead of
                refusing them all.
            batch_size: pictures per batch.

        Returns:
            A ``pandas.DataFrame``, one row per picture: ``path``, then ``class_1``,
            ``probability_1`` ... ``class_<top>``, ``probability_<top>``, most likely
            first.

        Raises:
            InputError: a missing source or bad files (named and counted), before any
                picture is classified.

        Example:
            >>> load("classifier").predict(["new/"], top=2).columns.tolist()
            ['path', 'class_1', 'probability_1', 'class_2', 'probability_2']
        """
        from deepkit.images import list_pictures

        top = check_int(top, "top", min_value=1)
        check_int(batch_size, "batch_size", min_value=1)
        paths, _ = list_pictures(sources, skip_bad=skip_bad_images)
        return self.table(paths, top=top, batch_size=batch_size)

    def table(self, paths, *, top=3, batch_size=32):
        """``predict``'s table for picture files already checked (``list_pictures``)."""
        import pandas as pd

        top = min(top, len(self.class_names))
        probabilities = self.probabilities(paths, batch_size)
        best = np.argsort(-probabilities, axis=1, kind="stable")[:, :top]
        table = {"path": [str(path) for path in paths]}
        for rank in range(top):
            table[f"class_{rank + 1}"] = [self.class_names[i] for i in best[:, rank]]
            table[f"probability_{rank + 1}"] = np.take_along_axis(
                probabilities, best[:, rank : rank + 1], axis=1
            )[:, 0]
        return pd.DataFrame(table)


def load(directory):
    """The classifier saved in ``directory`` (``model.keras`` in Keras's safe mode).

    Args:
        directory: a folder written by ``ImageClassifier.save``.

    Returns:
        An ``ImageClassifier``.

    Raises:
        InputError: a missing or damaged file, or a JSON that does not fit the model.
    """
    from deepkit.image_pipeline import PREPROCESSING
    from deepkit.saving import load_keras

    directory = Path(directory)
    described = directory / CLASSIFIER_FILE
    if not directory.is_dir():
        raise InputError(f"{directory}: no such classifier folder")
    try:
        about = json.loads(described.read_text())
        names = tuple(about.pop("class_names"))
        size = tuple(int(side) for side in about.pop("image_size"))
        channels = int(about.pop("channels"))
        preprocessing = about.pop("preprocessing")
    except FileNotFoundError:
        raise InputError(
            f"{directory}: no {CLASSIFIER_FILE}; save a classifier with "
            "`deepkit finetune BASE --images DIR --save-dir FOLDER`"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(f"{described}: not a classifier description ({error})") from None
    if about.pop("format", None) != FORMAT or preprocessing not in PREPROCESSING:
        raise InputError(f"{described}: not a classifier description of deepkit's")
    model = load_keras(directory / about.pop("model", MODEL_FILE), safe_mode=True, compile=False)
    expected = (None, *size, channels)
    if tuple(model.input_shape) != expected or model.output_shape[-1] != len(names):
        raise InputError(
            f"{directory}: the model takes {model.input_shape} and gives "
            f"{model.output_shape[-1]} classes; {CLASSIFIER_FILE} says {expected} and "
            f"{len(names)} classes"
        )
    return ImageClassifier(model, names, size, channels, preprocessing, about)


def predict_images(directory, sources, *, top=3, skip_bad_images=False):
    """``load(directory).predict(sources, ...)``: the table of each picture's top classes.

    Example:
        >>> predict_images("classifier", ["cat.jpg"], top=1)
    """
    return load(directory).predict(sources, top=top, skip_bad_images=skip_bad_images)


# -- deepkit predict images ---------------------------------------------------------------


def add_predict_arguments(parser):
    """The options of ``deepkit predict images``."""
    from deepkit.image_finetune.plots import COUNT

    parser.add_argument("directory", help="a classifier saved by `deepkit finetune --save-dir`")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="pictures, or folders of them")
    parser.add_argument(
        "--top", type=int, default=3, help="classes shown per picture (default: %(default)s)"
    )
    parser.add_argument("--out", metavar="FILE", help="also write the table to FILE as CSV")
    parser.add_argument("--plot", metavar="FILE", help=f"also draw {COUNT} of the pictures "
                        "with their most likely class as a PNG grid (wrong ones red)")  # fmt: skip
    parser.add_argument(
        "--skip-bad-images",
        action="store_true",
        help="leave out files that are not readable pictures instead of refusing them",
    )
    parser.add_argument(
        "--batch-size", type=int, default=32, help="pictures per batch (default: %(default)s)"
    )


def predict_main(args):
    """Print each picture's top classes; with ``--out``, write them as CSV (atomically);
    with ``--plot``, draw some (``deepkit.image_finetune.plots``).

    Args:
        args: the parsed options of ``add_predict_arguments``.

    Returns:
        0, the command's exit status.

    Raises:
        InputError: before any picture is classified: bad pictures (named, counted),
            an ``--out`` or ``--plot`` that cannot be written or that is one of the
            inputs (a picture, a folder given, a file of the classifier).
    """
    from deepkit.atomic import write_text_atomic
    from deepkit.images import list_pictures
    from deepkit.recipes.checks import check_plot
    from deepkit.report import format_grid

    top = check_int(args.top, "--top", min_value=1)
    check_int(args.batch_size, "--batch-size", min_value=1)
    paths, skipped = list_pictures(args.paths, skip_bad=args.skip_bad_images)
    inputs = [*args.paths, *paths, *(Path(args.directory) / name for name in BUNDLE_FILES)]
    for option, path in (("--out", args.out), ("--plot", args.plot)):
        if path is not None:
            check_out(path, inputs, option)
            inputs.append(path)  # --plot must not replace --out either
    if args.plot is not None:
        check_plot(args.plot, "--plot")
    classifier = load(args.directory)
    table = classifier.table(paths, top=top, batch_size=args.batch_size)
    ranks = (len(table.columns) - 1) // 2
    rows = [
        [row[0], *(f"{row[2 * r + 1]} {row[2 * r + 2]:.4f}" for r in range(ranks))]
        for row in table.itertuples(index=False)
    ]
    header = ["picture", *(f"class {r + 1}, probability" for r in range(ranks))]
    print(format_grid(header, rows))
    if skipped:
        print(f"{len(skipped)} file(s) left out: not readable pictures")
    if args.out is not None:
        write_text_atomic(args.out, table.to_csv(index=False))
        print(f"written to {args.out}")
    if args.plot is not None:
        from deepkit.image_finetune.plots import plot_predictions

        plot_predictions(table, args.plot, class_names=classifier.class_names)
        print(f"drawn to {args.plot}")
    return 0


def check_out(path, inputs, option="--out"):
    """Raise ``InputError`` unless the file ``path`` (given as ``option``) can be written and
    is none of ``inputs`` (the same file once resolved, or under another name: a link)."""
    import os

    target = Path(path)
    if target.is_dir():
        raise InputError(f"{option} {path}: is a folder, expected a file name")
    if not target.parent.is_dir() or not os.access(target.parent, os.W_OK):
        raise InputError(f"{option} {path}: cannot write in {target.parent}")
    for source in map(Path, inputs):
        same = target.resolve() == source.resolve()
        if not same and target.exists() and source.exists():
            same = os.path.samefile(target, source)
        if same:
            raise InputError(
                f"{option} {path}: is an input ({source}); writing there would replace it: "
                "choose another file"
            )
