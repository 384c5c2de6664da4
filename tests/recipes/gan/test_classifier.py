"""The judging classifier: its cache keyed by everything that made it (settings, training
data, deepkit's version) in the Keras home, reused only by runs that would have made the
same one; trained through the one training path, with a checkpoint stage or without, to
the same weights; refused when weak, in words that name the file and the accuracy."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

import deepkit
from deepkit.checkpoints import Checkpoint
from deepkit.recipes.gan import classifier
from deepkit.recipes.mnist_classifier import load
from deepkit.validation import InputError

TINY = dict(filters=(4, 8), epochs=1, seed=0)


@pytest.fixture(scope="module")
def data():
    (x, y), _ = load(300, str(SUBSET))
    return x, y


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty Keras home."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home"


def test_filters_are_read_from_a_comma_separated_list():
    assert classifier.parse_filters("32, 64") == (32, 64)
    for bad in ("", "32,", "32,-1", "0", "a,b"):
        with pytest.raises(InputError, match="classifier_filters must be positive filter counts"):
            classifier.parse_filters(bad)


def test_the_cache_folder_is_the_keras_homes(home, monkeypatch):
    assert classifier.cache_folder() == home / "deepkit"
    monkeypatch.delenv("KERAS_HOME")
    assert classifier.cache_folder() == Path.home() / ".keras" / "deepkit"


def test_the_cache_key_names_every_setting_the_data_and_deepkits_version(data, home, monkeypatch):
    x, y = data
    where = classifier.locate(x, y, **TINY)
    assert re.fullmatch(r"mnist_cnn-[0-9a-f]{16}\.keras", Path(where.path).name)
    assert Path(where.path).parent == home / "deepkit" and not where.given
    assert where.identity["deepkit"] == deepkit.__version__
    assert classifier.locate(x.copy(), y.copy(), **TINY) == where  # the same makings, the same file
    others = [
        classifier.locate(x, y, **{**TINY, "filters": (4, 16)}),
        classifier.locate(x, y, **{**TINY, "epochs": 2}),
        classifier.locate(x, y, **{**TINY, "seed": 1}),
        classifier.locate(x[:-1], y[:-1], **TINY),
        classifier.locate(x, (y + 1) % 10, **TINY),
        classifier.locate(255 - x, y, **TINY),
    ]
    monkeypatch.setattr(deepkit, "__version__", deepkit.__version__ + ".post1")
    others.append(classifier.locate(x, y, **TINY))
    assert len({where.path, *(other.path for other in others)}) == len(others) + 1


def test_a_given_file_is_identified_by_its_bytes(tmp_path, data):
    judge = tmp_path / "judge.keras"
    judge.write_bytes(b"model")
    where = classifier.locate(*data, **TINY, given=str(judge))
    assert where.given and where.path == str(judge)
    assert where.identity == {"file": str(judge), "sha256": classifier.file_sha256(judge)}


def test_a_cached_classifier_is_reused_only_by_runs_that_would_make_it(data, home):
    x, y = data
    where = classifier.locate(x, y, **TINY)
    model, origin = classifier.obtain(where, x, y)
    assert origin == "trained" and os.path.isfile(where.path)
    identity = json.loads(Path(where.path).with_suffix(".json").read_text())
    assert identity == where.identity  # what made it, in words, beside it
    again, origin = classifier.obtain(classifier.locate(x, y, **TINY), x, y)
    assert origin == "cached"
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    longer = classifier.locate(x, y, **{**TINY, "epochs": 2})
    assert classifier.obtain(longer, x, y)[1] == "trained"
    assert sorted(p.name for p in (home / "deepkit").glob("*.keras")) == sorted(
        Path(w.path).name for w in (where, longer)
    )


def test_training_with_a_checkpoint_stage_or_without_gives_the_same_classifier(
    data, tmp_path, monkeypatch
):
    x, y = data
    weights = []
    for name, checkpoint in (
        ("a", Checkpoint.open(tmp_path / "run", {}).stage("classifier")),
        ("b", None),
    ):
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / name))
        model, origin = classifier.obtain(
            classifier.locate(x, y, **TINY), x, y, checkpoint=checkpoint
        )
        assert origin == "trained"
        weights.append(model.get_weights())
    assert (tmp_path / "run" / "classifier" / "finished.json").exists()
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_a_weak_classifier_is_refused_in_words_naming_its_file_and_accuracy():
    classifier.refuse_if_weak("judge.keras", 0.95, "100 validation", 0.95)  # at the floor
    with pytest.raises(InputError) as refused:
        classifier.refuse_if_weak("/cache/judge.keras", 0.44, "100 validation", 0.95)
    assert str(refused.value).startswith(
        "the judging classifier /cache/judge.keras scores 0.4400 on 100 validation images, "
        "below min_classifier_accuracy=0.95"
    )
