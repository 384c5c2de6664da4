"""Transfer learning on MNIST: pretrain on digits 0-4, fine-tune on digits 5-9.

    from deepkit.recipes import transfer
    result = transfer.run()                            # the digits experiment
    result = transfer.run(application="MobileNetV2")   # the keras.applications one
    print(result.report())

Transfer learning takes a network trained on one task, keeps its feature layers
frozen, replaces its last layer by a new, randomly initialised one and trains only
that on the new task (``deepkit.finetune``). Here the source task is digits 0-4 and
the target task digits 5-9 relabelled 0-4, both from MNIST.

Two experiments, each in its module with its own result:

- ``digits`` (``run_digits`` -> ``TransferResult``): keras-io's MNIST convnet,
  after Keras's classic ``mnist_transfer_cnn`` example, fine-tuned against the same
  network trained from scratch with the same budget, with all the images of 5-9 and
  with a few hundred;
- ``application`` (``run_application`` -> ``ApplicationResult``): a
  ``keras.applications`` network pretrained from a random start on RGB digits,
  saved as a weights file, rebuilt from it and fine-tuned.

``Settings`` (``settings``) declares the settings of both once; ``run`` runs the
one ``application`` selects. ``steps`` holds what both do: split the tasks, train a
stage and score it, save the pretrained model.

``engine="numpy"`` runs the digits experiment on the NumPy reference: every training
(``deepkit.training.fit_in_place``, the fine-tune's head too) trains the reference of
the Keras model, whose weights then come back to it, to be saved and scored.

``checkpoint_dir`` makes a run resumable: every training is a stage of one
``deepkit.checkpoints`` folder. Run again with the same settings after a crash, it
restores the finished trainings, resumes the killed one at its last epoch and ends,
bit for bit, where an uninterrupted run ends, which is also where a run without a
folder ends (``deepkit.training.fit`` orders the rows by seed and epoch either way).
"""

from deepkit.recipes.transfer.application import ApplicationResult, run_application
from deepkit.recipes.transfer.digits import TransferResult, run_digits
from deepkit.recipes.transfer.settings import Settings
from deepkit.recipes.transfer.steps import Tasks, load_tasks, split_digits, to_rgb32

__all__ = [
    "ApplicationResult",
    "Settings",
    "Tasks",
    "TransferResult",
    "load_tasks",
    "run",
    "run_application",
    "run_digits",
    "split_digits",
    "to_rgb32",
]


def run(settings=None, /, *, verbose=0, **overrides):
    """Run the digits experiment, or the ``keras.applications`` one if ``application`` is set.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(epochs=2, limit=1200)``).

    Returns:
        A ``TransferResult``, or an ``ApplicationResult`` with ``application``.

    Raises:
        InputError: a bad setting (an unknown application, an input smaller than the
            application's least, an unwritable folder), before any data or
            TensorFlow loads.
    """
    s = Settings.resolve(settings, overrides)
    if s.application is None:
        return run_digits(s, verbose=verbose)
    return run_application(s, verbose=verbose)
