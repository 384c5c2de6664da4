"""Kill and resume with nothing lost: a checkpoint folder for one training run.

    checkpoint = Checkpoint("runs/mnist", arguments={"epochs": 30, "seed": 0, ...})
    model.fit(..., callbacks=checkpoint.callbacks())
    history = checkpoint.full_history(fit_history)

A run of several trainings (pretraining then fine-tuning, one model per
setting) gives each its own stage, a subfolder with the same layout; a stage
that ended keeps its final weights and results, so a rerun loads them instead
of training again:

    stage = checkpoint.stage("pretrain")
    if stage.finished:
        results = stage.restore(model)
    else:
        model.fit(..., callbacks=stage.callbacks())
        stage.finish(model, accuracy=...)

Every stage must start from its own seed (``set_seed`` at its start), so that
skipping a finished stage leaves the later ones unchanged.

Inside the folder:

- ``backup/``: Keras's own ``BackupAndRestore`` (weights, optimizer state and the
  epoch reached, written at the end of every epoch, deleted when training ends);
- ``arguments.json``: the arguments of the run. A rerun with other arguments is
  refused instead of silently mixing two runs;
- ``history.json``: the logs of every finished epoch, so a resumed run reports
  the whole history, as an uninterrupted run does;
- ``seed_states.json``: for every finished epoch, the position of the model's
  random generators (Dropout's ``SeedGenerator``), which Keras's backup leaves
  out, so a resumed run draws the dropout masks an uninterrupted run draws;
- ``final.weights.h5`` and ``results.json``: a finished stage's weights and
  results (JSON values), each written to a temporary file and then renamed, the
  results last, so a kill while saving leaves the stage unfinished, never half.

What makes the resumed run equal to an uninterrupted one is that nothing else
carries state between epochs: the data order of epoch e depends on (seed, e)
alone (``deepkit.distribute.epoch_dataset``), and early stopping resumes its own
state (``deepkit.early_stopping``, used by ``deepkit.training.fit``).
"""

import json
import os
from pathlib import Path

from deepkit.validation import InputError


class Checkpoint:
    def __init__(self, directory, arguments):
        """``arguments``: the run's arguments, checked against the folder's; ``None`` for a
        stage, whose run folder checked them."""
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"checkpoint folder {directory}: {error.strerror}") from None
        if arguments is not None:
            self._check_arguments(json.loads(json.dumps(arguments, default=str)))
        self.resumed_at = self._epochs_done()
        self.history = self._history()[: self.resumed_at]

    def _check_arguments(self, arguments):
        """Keep ``arguments`` in a new folder; refuse them if the folder holds other ones."""
        saved = self.directory / "arguments.json"
        if not saved.exists():
            saved.write_text(json.dumps(arguments, indent=1, sort_keys=True))
            return
        previous = json.loads(saved.read_text())
        changed = sorted(
            k for k in previous.keys() | arguments.keys() if previous.get(k) != arguments.get(k)
        )
        if changed:
            raise InputError(
                f"checkpoint folder {self.directory} holds a run with other arguments "
                f"({', '.join(f'{k}: {previous.get(k)!r} then {arguments.get(k)!r}' for k in changed)}); "
                "use another folder or the same arguments"
            )

    def _epochs_done(self):
        metadata = self.directory / "backup" / "training_metadata.json"
        return json.loads(metadata.read_text())["epoch"] if metadata.exists() else 0

    def _history(self):
        path = self.directory / "history.json"
        return json.loads(path.read_text()) if path.exists() else []

    def callbacks(self):
        """The random generators' log, the per-epoch history log and Keras's BackupAndRestore."""
        import keras

        checkpoint = self
        seed_states, resumed_at = self.directory / "seed_states.json", self.resumed_at

        class SeedStates(keras.callbacks.Callback):
            def generators(self):
                weights = {id(v) for v in self.model.weights}
                return [v for v in self.model.variables if id(v) not in weights]

            def on_train_begin(self, logs=None):
                if resumed_at:
                    saved = json.loads(seed_states.read_text())[str(resumed_at)]
                    for variable, state in zip(self.generators(), saved, strict=True):
                        variable.assign(state)

            def on_epoch_end(self, epoch, logs=None):
                saved = json.loads(seed_states.read_text()) if seed_states.exists() else {}
                saved[str(epoch + 1)] = [v.numpy().tolist() for v in self.generators()]
                partial = seed_states.with_suffix(".partial")
                partial.write_text(json.dumps(saved))
                os.replace(partial, seed_states)

        class HistoryLog(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                checkpoint.history = checkpoint.history[:epoch] + [
                    {k: float(v) for k, v in (logs or {}).items()}
                ]
                (checkpoint.directory / "history.json").write_text(json.dumps(checkpoint.history))

        # The logs first: they must have written epoch e when Keras's backup says e is done.
        backup = keras.callbacks.BackupAndRestore(str(self.directory / "backup"))
        return [SeedStates(), HistoryLog(), backup]

    def full_history(self):
        """{metric: [one value per epoch]} over every epoch of the run, resumed or not, for
        the metrics logged at every epoch (``history`` keeps each epoch's logs whole)."""
        names = [n for n in (self.history or [{}])[0] if all(n in e for e in self.history)]
        return {name: [epoch[name] for epoch in self.history] for name in names}

    def stage(self, name):
        """The checkpoint of one training of a multi-training run, in the subfolder ``name``."""
        return Checkpoint(self.directory / name, arguments=None)

    @property
    def finished(self):
        """Whether ``finish`` has saved this stage's weights and results."""
        return (self.directory / "results.json").exists()

    def finish(self, model, **results):
        """Save the trained ``model``'s weights and ``results`` (JSON values): the stage is done."""
        weights = self.directory / "final.weights.h5"
        partial = self.directory / "partial.weights.h5"  # Keras wants the .weights.h5 ending
        model.save_weights(str(partial))
        os.replace(partial, weights)
        partial = self.directory / "results.json.partial"
        partial.write_text(json.dumps(results))
        os.replace(partial, self.directory / "results.json")
        (self.directory / "best.weights.h5").unlink(missing_ok=True)  # early stopping's

    def restore(self, model):
        """Load a finished stage's weights (its optimizer's state too, if compiled) into
        ``model``; return its results."""
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)  # else Keras skips its saved state
        model.load_weights(str(self.directory / "final.weights.h5"))
        return json.loads((self.directory / "results.json").read_text())
