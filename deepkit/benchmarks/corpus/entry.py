"""``CorpusModel``: one Keras model of the corpus, where it comes from, and what the
NumPy reference is expected to do with it."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CorpusModel:
    """One model of the corpus.

    Attributes:
        name: its key in ``CORPUS``.
        source: where its code comes from (a URL, or a Keras docstring's class).
        build: ``build()`` returns the Keras model, built and compiled as its source
            builds and compiles it (sizes reduced).
        refusals: empty when ``from_keras`` is expected to host the model; else a
            fragment of each line of the expected refusal (each fragment matches at
            least one line of the ``InputError``, each line at least one fragment).
        integers: the vocabulary size of each input of word indices, by the input's position.
        steps: the length given to axes of unknown length (sequences).
    """

    name: str
    source: str
    build: object
    refusals: tuple = ()
    integers: dict = field(default_factory=dict)
    steps: int = 6

    @property
    def hosted(self):
        """True when ``from_keras`` is expected to host the model."""
        return not self.refusals
