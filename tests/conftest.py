import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def float64():
    """Keras in float64 for one test: floatx and the dtype policy, restored after."""
    from deepkit.parity import keras_float_dtype

    with keras_float_dtype("float64"):
        yield
