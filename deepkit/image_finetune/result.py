"""What a fine-tune on a folder of pictures gives back: the classifier and its report."""

import dataclasses

import numpy as np

from deepkit.report import format_table

PHASES = {"head": "phase 1, new head", "unfrozen": "phase 2, top layers unfrozen"}
NAMED = 5  # the skipped files the report names


@dataclasses.dataclass
class FinetuneResult:
    """A fine-tuned image classifier and how it was trained.

    Attributes:
        settings: the run's ``deepkit.image_finetune.Settings``.
        classifier: a ``deepkit.classifier_bundle.ImageClassifier`` (``.predict``,
            ``.save``, ``.model``).
        counts: ``{class name: pictures}`` found in the folder.
        n_training: the pictures trained on.
        validation_labels: the labels of the pictures held out.
        skipped: ``(path, reason)`` of the files left out (``skip_bad_images``).
        histories: ``{phase: {metric: [value per epoch]}}``, ``head`` then ``unfrozen``.
        validation_accuracy: the final model's accuracy on the held-out pictures, or
            ``None`` without a validation set.
        seconds: the run's wall time.
    """

    settings: object
    classifier: object
    counts: dict
    n_training: int
    validation_labels: list
    skipped: tuple
    histories: dict
    validation_accuracy: float
    seconds: float

    @property
    def model(self):
        """The fine-tuned ``keras.Model``."""
        return self.classifier.model

    @property
    def majority_accuracy(self):
        """The validation accuracy of always answering the most common held-out class."""
        labels = np.asarray(self.validation_labels, dtype=int)
        return float(np.bincount(labels).max() / len(labels)) if len(labels) else None

    def save(self, directory):
        """Save the classifier (``model.keras`` and ``classifier.json``) into ``directory``."""
        return self.classifier.save(directory)

    def _phase(self, name, history):
        s = self.settings
        budget = s.epochs if name == "head" else s.fine_tune_epochs
        ran = len(history.get("loss", []))
        parts = [f"{ran} of {budget} epochs" + (" (stopped early)" if ran < budget else "")]
        for metric in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if history.get(metric):
                parts.append(f"{metric} {history[metric][-1]:.4f}")
        return ", ".join(parts)

    def report(self):
        """The run as a table of text."""
        s, c = self.settings, self.classifier
        held = len(self.validation_labels)
        weights = f" (weights: {s.weights or 'imagenet'})" if s.application else ""
        rows = [
            ("base", f"{s.base}{weights}"),
            ("classes", ", ".join(f"{name} ({n})" for name, n in self.counts.items())),
            (
                "pictures",
                f"{self.n_training} training, {held} validation (carved by seed {s.seed})",
            ),
            (
                "input",
                f"{c.image_size[0]}x{c.image_size[1]}x{c.channels}, preprocessing "
                f"{c.preprocessing}" + (", augmented (flip, rotation, zoom)" if s.augment else ""),
            ),
        ]
        if self.skipped:
            named = "; ".join(f"{path} ({why})" for path, why in self.skipped[:NAMED])
            more = f"; and {len(self.skipped) - NAMED} more" if len(self.skipped) > NAMED else ""
            rows.append(("left out", f"{len(self.skipped)} file(s): {named}{more}"))
        for name, history in self.histories.items():
            rows.append((PHASES[name], self._phase(name, history)))
        if self.validation_accuracy is not None:
            rows.append(
                (
                    "validation accuracy",
                    f"{self.validation_accuracy:.4f} (the most common class alone: "
                    f"{self.majority_accuracy:.4f})",
                )
            )
        if s.save_dir is not None:
            rows.append(
                ("saved", f"{s.save_dir}; use it: deepkit predict images {s.save_dir} PATH...")
            )
        else:
            rows.append(("saved", "nowhere (give --save-dir DIR to keep the classifier)"))
        if s.checkpoint_dir is not None:
            rows.append(("checkpoints", s.checkpoint_dir))
        rows.append(("seconds", f"{self.seconds:.1f}"))
        return format_table(rows, title=f"Fine-tuning {s.base} on {s.images}")
