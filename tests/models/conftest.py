import keras
import pytest


@pytest.fixture
def no_building(monkeypatch):
    """Make building any Keras layer or model fail the test: builders must refuse
    bad arguments before they build anything."""

    def build(*args, **kwargs):
        raise AssertionError("a layer was built before the bad argument was refused")

    for name in ("Input", "Sequential"):
        monkeypatch.setattr(keras, name, build)
    for name in ("Dense", "Conv2D", "LSTM", "GRU", "SimpleRNN", "Dropout"):
        monkeypatch.setattr(keras.layers, name, build)
