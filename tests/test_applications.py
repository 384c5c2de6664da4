"""deepkit.applications: the keras.applications networks and the least input each takes,
the same as Keras's own checks, refused before TensorFlow loads."""

import json
import subprocess
import sys

import keras
import pytest

from deepkit.applications import APPLICATIONS, application, check_application
from deepkit.validation import InputError


@pytest.mark.parametrize("name", list(APPLICATIONS))
def test_every_network_listed_is_one_of_keras_and_takes_no_smaller_input(name):
    least = APPLICATIONS[name]
    builder = getattr(keras.applications, name)
    # Keras checks the size before it builds a layer: cheap even for the large networks.
    with pytest.raises(ValueError, match=f"at least {least}x{least}"):
        builder(include_top=False, weights=None, input_shape=(least - 1, least - 1, 3))
    assert check_application(name, (least, least, 3)) == least


def test_an_unknown_name_or_a_small_input_is_refused_naming_the_least():
    with pytest.raises(InputError, match="has no model named 'NoSuchNet'; the models are Con"):
        check_application("NoSuchNet")
    with pytest.raises(InputError, match=r"InceptionV3 takes inputs of at least 75x75, got 32x32"):
        application("InceptionV3", (32, 32, 3))
    with pytest.raises(InputError, match=r"Xception takes inputs of at least 71x71, got 80x70"):
        check_application("Xception", (80, 70, 3))


def test_the_checks_load_neither_tensorflow_nor_keras():
    script = """if True:
        import json, sys
        from deepkit.applications import application
        errors = []
        for name, size in (("NoSuchNet", 32), ("InceptionV3", 74)):
            try:
                application(name, (size, size, 3))
            except ValueError as error:
                errors.append(type(error).__name__)
        print(json.dumps([errors, "tensorflow" in sys.modules, "keras" in sys.modules]))
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert json.loads(done.stdout) == [["InputError", "InputError"], False, False]
