"""A corpus of 25 Keras models written by other people, as a new user would paste them
into ``deepkit.reference.from_keras``: keras-io's code examples and developer guides,
the TensorFlow tutorials and Keras's own docstrings.

Each model is its source's code (Apache License 2.0, like deepkit), built and compiled
as its source builds and compiles it (optimizer, loss, metrics, schedules and metric
objects as written); only sizes are reduced (input sizes, filters, units, vocabularies)
so that each model builds in well under a second. Models that need a download
(pretrained weights, a vocabulary adapted on a dataset) are built without weights or
with a fixed vocabulary. Each model records what ``from_keras`` is expected to do with
it: host it, or refuse it with the problems named in ``refusals``.

- ``entry``: ``CorpusModel``, one model, its source and its expected status;
- ``keras_io_examples``, ``keras_io_guides``, ``tensorflow_tutorials``,
  ``keras_docstrings``: the models, by source;
- ``check``: a model through ``from_keras``, and its deviation from Keras when hosted.

Used by ``tests/reference/corpus`` (each model's status and parity) and ``deepkit
bench layers`` (the hosted count, deviations and step times).
"""

from deepkit.benchmarks.corpus import (
    keras_docstrings,
    keras_io_examples,
    keras_io_guides,
    tensorflow_tutorials,
)
from deepkit.benchmarks.corpus.check import QUANTITIES, Outcome, check
from deepkit.benchmarks.corpus.entry import CorpusModel

CORPUS = {
    entry.name: entry
    for module in (keras_io_examples, keras_io_guides, tensorflow_tutorials, keras_docstrings)
    for entry in module.MODELS
}

__all__ = ["CORPUS", "QUANTITIES", "CorpusModel", "Outcome", "check"]
