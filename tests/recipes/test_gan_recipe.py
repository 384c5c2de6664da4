from pathlib import Path

import keras
import numpy as np
import pytest

from deepkit.recipes import gan as recipe
from deepkit.recipes.mnist_steps import load
from deepkit.sample_quality import train_classifier

SUBSET = str(Path(__file__).parents[1] / "data" / "mnist_subset.npz")


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    """deepkit's MNIST CNN, narrowed to 8 and 16 filters (400 features, for speed), trained for
    two epochs on the subset and saved once for the module."""
    path = tmp_path_factory.mktemp("clf") / "mnist_cnn.keras"
    (x, y), _ = load(None, SUBSET)
    train_classifier(x, y, epochs=2, filters=(8, 16)).save(path)
    return str(path)


def test_conditional_recipe_on_the_subset_measures_saves_and_plots(classifier, tmp_path):
    result = recipe.run(
        conditional=True, epochs=2, samples=400, measure_every=1, classifier=classifier,
        path=SUBSET, plot=str(tmp_path), seed=0,
    )  # fmt: skip
    report = result.report()
    for row in (recipe.FLOOR, recipe.BASELINE, "GAN after 2 epochs", "conditional accuracy"):
        assert row in report
    floor, baseline = result.quality[recipe.FLOOR], result.quality[recipe.BASELINE]
    # The measures order the two reference points as they must: real test digits are closer to
    # the real training digits than Bernoulli noise of the mean image, on every measure.
    assert floor["frechet"] < baseline["frechet"]
    assert floor["recall"] > baseline["recall"] and floor["entropy"] > baseline["entropy"]
    assert [epoch for epoch, _ in result.trend] == [1]
    assert len(result.history["d_loss"]) == 2 and np.isfinite(result.history["g_loss"]).all()
    assert [Path(p).name for p in result.plots] == ["samples_epoch001.png", "samples_epoch002.png"]
    assert all(Path(p).stat().st_size > 1000 for p in result.plots)
    loaded = keras.models.load_model(result.saved)
    labels = np.arange(4)
    np.testing.assert_allclose(
        loaded.generate(4, labels=labels, seed=3), result.gan.generate(4, labels=labels, seed=3)
    )


def test_bad_arguments_are_refused_before_loading_anything():
    with pytest.raises(ValueError, match="arch"):
        recipe.run(arch="resnet", path="/nonexistent")
    with pytest.raises(ValueError, match="epochs"):
        recipe.run(epochs=0, path="/nonexistent")
    with pytest.raises(ValueError, match="measure_every"):
        recipe.run(measure_every=-1, path="/nonexistent")
