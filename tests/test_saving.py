"""Every .keras file deepkit opens goes through Keras's safe mode: a file with a
Lambda layer (code that runs when loaded) is refused with one line naming the file
and the opt-in for trusted files (safe_mode=False, --unsafe); truncated, missing and
corrupt files get one line too."""

import keras
import numpy as np
import pytest

from deepkit import finetune
from deepkit.saving import load_keras


@pytest.fixture(scope="module")
def lambda_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("unsafe") / "lambda.keras"
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Dense(2)]
    )
    model.save(path)
    return path


def test_a_lambda_layer_is_refused_unless_the_user_opts_in(lambda_file):
    # the message names the file, the reason and the opt-in, for trusted files only
    with pytest.raises(ValueError, match=r"lambda.keras: refused: .*code.*Lambda") as refused:
        load_keras(lambda_file)
    assert "only if you trust its author" in str(refused.value)
    assert "safe_mode=False (--unsafe on the command line)" in str(refused.value)
    with pytest.raises(ValueError, match="refused: the file holds code"):
        finetune.finetune(lambda_file, 2, np.zeros((4, 4)), np.array([0, 1, 0, 1]))
    trusted = load_keras(lambda_file, safe_mode=False)
    np.testing.assert_allclose(
        trusted(np.ones((1, 4))), trusted.layers[-1](np.full((1, 4), 2.0)), rtol=1e-6
    )


def test_missing_and_truncated_files_are_named(tmp_path, lambda_file):
    with pytest.raises(ValueError, match="nothing.keras: no such model file"):
        load_keras(tmp_path / "nothing.keras")
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(lambda_file.read_bytes()[:200])
    with pytest.raises(ValueError, match="truncated.keras: not a .keras model file"):
        load_keras(truncated)
