import keras
import pytest


@pytest.fixture(autouse=True)
def _keras_steps_run_eagerly(monkeypatch):
    """Keras models compiled in these tests run their steps eagerly (``run_eagerly=True``
    unless a test says otherwise): the ops of a traced step, without tracing a graph for
    each of the hundreds of small models the NumPy reference is compared with."""
    compile = keras.Model.compile

    def compile_eagerly(self, *args, **kwargs):
        kwargs.setdefault("run_eagerly", True)
        return compile(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "compile", compile_eagerly)
