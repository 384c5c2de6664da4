"""The GAN recipe end to end on tiny sizes: what it measures, reports, plots and saves, and
a finished checkpoint folder giving it back; the variants compared on validation and the
test images read once, after the choice; settings refused before any work; a judging
classifier refused when weak or changed; a run with a checkpoint folder, killed with
SIGKILL while it trains its classifier and again while it trains the GAN, ending with the
weights, logs and report of an uninterrupted run without a folder."""

import json
import re
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET
from resume_helpers import epochs_saved, kill_when, start

from deepkit import cli
from deepkit.recipes import gan
from deepkit.recipes.gan import BASELINE, FLOOR, recipe
from deepkit.recipes.gan.measures import SampleMeasures
from deepkit.recipes.gan.training import build
from deepkit.validation import InputError


def test_the_test_images_are_read_once_after_the_choice_on_validation(tiny, monkeypatch):
    events = []
    read_test, measure = recipe.test_images, SampleMeasures.of

    def reading(settings):
        events.append("test images read")
        return read_test(settings)

    def measuring(self, gan):
        events.append(f"{self.ceiling.split()[-1]}: {gan.name}, ema {gan.ema_decay}")
        return measure(self, gan)

    monkeypatch.setattr(recipe, "test_images", reading)
    monkeypatch.setattr(SampleMeasures, "of", measuring)
    result = gan.run(tiny, variants=["base", "ema"], ema_decay=0.5)
    assert events == [
        "validation: mlp_gan, ema None",
        "validation: mlp_gan, ema 0.5",
        "test images read",
        f"test: mlp_gan, ema {0.5 if result.chosen == 'ema' else None}",
    ]
    frechet = {variant: result.validation[variant]["frechet"] for variant in ("base", "ema")}
    assert result.chosen == min(frechet, key=frechet.get)
    assert frechet["base"] != frechet["ema"]
    assert set(result.variant_seconds) == {"base", "ema"}
    assert result.gan.ema_decay == (0.5 if result.chosen == "ema" else None)


def test_a_conditional_run_measures_plots_saves_and_names_its_judge(tiny, tmp_path):
    folder = str(tmp_path / "run")
    result = gan.run(
        tiny, conditional=True, measure_every=1, plot=str(tmp_path), checkpoint_dir=folder
    )
    report = result.report()
    for row in (FLOOR, BASELINE, "GAN after 2 epochs", "conditional accuracy"):
        assert row in report
    # The judging classifier: its file (in the Keras home), its validation and test accuracy.
    assert Path(result.classifier).is_file() and result.classifier_origin in ("trained", "cached")
    assert re.search(
        rf"judging classifier +{re.escape(result.classifier)} \((trained|cached)\)", report
    )
    assert (
        f"{result.classifier_validation_accuracy:.4f} on 30 validation images, "
        f"{result.classifier_accuracy:.4f} on 50 test images"
    ) in report
    assert (result.n_train, result.n_validation) == (270, 30)
    floor, baseline = result.quality[FLOOR], result.quality[BASELINE]
    # Real training digits are closer to the real test digits than Bernoulli noise of the
    # mean image, even in a barely trained classifier's features.
    assert floor["frechet"] < baseline["frechet"] and floor["recall"] > baseline["recall"]
    assert [epoch for epoch, _ in result.trend] == [1]
    assert len(result.history["d_loss"]) == 2 and np.isfinite(result.history["g_loss"]).all()
    assert [Path(p).parent.name for p in result.plots] == ["base", "base"]
    assert [Path(p).name for p in result.plots] == ["samples_epoch001.png", "samples_epoch002.png"]
    assert all(Path(p).stat().st_size > 1000 for p in result.plots)
    loaded = keras.models.load_model(result.saved)
    labels = np.arange(4)
    np.testing.assert_allclose(
        loaded.generate(4, labels=labels, seed=3), result.gan.generate(4, labels=labels, seed=3)
    )
    # The finished folder gives the run back (its training seconds too) without training.
    again = gan.run(
        tiny, conditional=True, measure_every=1, plot=str(tmp_path), checkpoint_dir=folder
    )
    assert again.report() == report
    for x, y in zip(result.gan.get_weights(), again.gan.get_weights()):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(arch="resnet"), "arch"),
        (dict(epochs=0), "epochs"),
        (dict(measure_every=-1), "measure_every"),
        (dict(classifier_filters=5), "classifier_filters"),
        (dict(classifier_filters=()), "classifier_filters"),
        (dict(classifier_filters=(8, 0)), "classifier_filters"),
        (dict(min_classifier_accuracy=1.5), "min_classifier_accuracy"),
        (dict(classifier="/nonexistent/judge.keras"), "classifier: .* no such file"),
        (dict(limit=10), "limit"),
        (dict(variants=["base", "ema", "base"]), "variants must differ"),
        (dict(variants=["wgan"]), "variants must be one of base, mbstd"),
        (dict(ema_decay=1.0), "ema_decay"),
        (dict(d_learning_rate=0.0), "d_learning_rate"),
        (dict(validation_split=0.0), "validation_split"),
        (dict(engine="torch"), "engine must be one of keras, numpy"),
        (dict(engine="numpy", checkpoint_dir="runs"), "checkpoint_dir saves Keras GANs"),
    ],
)
def test_bad_settings_are_refused_before_loading_anything(overrides, message):
    with pytest.raises(InputError, match=message):
        gan.run(path="/nonexistent", **overrides)


def test_a_run_on_the_numpy_engine_trains_the_reference_and_keeps_its_weights(tiny, tmp_path):
    """The NumPy reference trains each variant (its own epochs' logs, not Keras's), the plots
    show its samples as it trains, and the Keras GAN of the result holds its weights."""
    variants = ["base", "mbstd+ema+ttur"]
    ours = gan.run(tiny, conditional=True, engine="numpy", variants=variants, plot=str(tmp_path))
    theirs = gan.run(tiny, conditional=True, variants=variants)
    assert len(ours.history["d_loss"]) == 2 and np.isfinite(ours.history["g_loss"]).all()
    assert ours.history != theirs.history  # another engine trained (its own shuffles)
    assert set(ours.validation) == set(theirs.validation) and ours.chosen in variants
    assert len(ours.plots) == 2
    for variant in variants:  # two engines, two shuffles: the same quality within noise
        ours_frechet, theirs_frechet = (
            run.validation[variant]["frechet"] for run in (ours, theirs)
        )
        assert ours_frechet != theirs_frechet
        assert ours_frechet == pytest.approx(theirs_frechet, rel=0.25)
    # the result's Keras GAN holds the trained weights, not those it was built with
    built = build(tiny.replace(conditional=True), ours.chosen)
    labels = np.arange(10)
    assert not np.allclose(
        ours.gan.generate(10, labels, seed=0), built.generate(10, labels, seed=0)
    )


def test_a_dcgan_trains_on_the_numpy_engine(tiny):
    """``deepkit run gan --arch dcgan --engine numpy`` at a tiny size: the convolutional pair
    trains on the NumPy reference (its steps equal Keras's: tests/models/test_gan.py)."""
    result = gan.run(tiny, arch="dcgan", engine="numpy", epochs=1, limit=120, samples=20)
    assert result.arch == "dcgan" and len(result.history["d_loss"]) == 1
    assert np.isfinite(result.history["g_loss"]).all()
    assert result.gan.generate(3, seed=0).shape == (3, 28, 28, 1)


def test_the_checkpoint_folder_is_checked_before_loading_anything(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="checkpoint_dir: .* cannot be a folder"):
        gan.run(checkpoint_dir=str(tmp_path / "file" / "run"), path="/nonexistent")


def test_a_batch_larger_than_the_training_images_is_refused_before_any_training(tiny):
    with pytest.raises(InputError, match="batch_size=128 is more than the 54 training images"):
        gan.run(tiny, limit=60, batch_size=128)


def _untrained_classifier(path):
    keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    ).save(path)
    return str(path)


def test_a_classifier_below_the_accuracy_floor_is_refused_before_the_gan_trains(tiny, tmp_path):
    judge = _untrained_classifier(tmp_path / "untrained.keras")
    plots = tmp_path / "plots"
    with pytest.raises(InputError) as refused:
        gan.run(tiny, classifier=judge, min_classifier_accuracy=0.9, plot=str(plots))
    assert re.search(
        rf"judging classifier {re.escape(judge)} scores 0\.\d{{4}} on 30 validation images, "
        r"below min_classifier_accuracy=0\.9",
        str(refused.value),
    )
    assert not plots.exists() or not list(plots.iterdir())  # no GAN epoch ran


def test_a_classifier_file_changed_since_a_checkpointed_run_began_is_refused(tiny, tmp_path):
    judge = _untrained_classifier(tmp_path / "judge.keras")
    folder = tmp_path / "run"
    # A first run keeps the classifier's stage, then stops at its accuracy floor.
    with pytest.raises(InputError, match="below min_classifier_accuracy"):
        gan.run(tiny, classifier=judge, checkpoint_dir=str(folder), min_classifier_accuracy=0.9)
    assert (folder / "classifier" / "finished.json").exists()
    Path(judge).write_bytes(Path(judge).read_bytes() + b"\0")
    with pytest.raises(InputError, match="holds a run with other arguments .*judging_classifier"):
        gan.run(tiny, classifier=judge, checkpoint_dir=str(folder))


# -- killed and resumed ------------------------------------------------------------------

KILLED = dict(
    conditional=True, limit=600, epochs=3, batch_size=32, latent_dim=8, samples=100,
    measure_every=1, classifier_epochs=8, classifier_filters="4,8", min_classifier_accuracy=0.0,
)  # fmt: skip


def _command(folder):
    """The command line of the run to kill, its classifier cached in its own Keras home."""
    flags = ["--conditional"]
    for name, value in KILLED.items():
        if name != "conditional":
            flags += [f"--{name.replace('_', '-')}", str(value)]
    return [
        "env", f"KERAS_HOME={folder / 'keras_home'}",
        sys.executable, "-m", "deepkit", "run", "gan", *flags, "--path", str(SUBSET),
        "--checkpoint-dir", str(folder / "checkpoint"), "--save", str(folder / "gan.keras"),
    ]  # fmt: skip


def _table(report):
    """A report's lines but those that differ between two runs (time, classifier and model paths)."""
    lines = report[report.index("GAN on MNIST") :].splitlines()
    return [
        line
        for line in lines
        if not line.startswith(("training seconds", "judging classifier", "model "))
    ]


def test_a_run_killed_in_each_stage_ends_as_an_uninterrupted_run_without_a_folder(
    tmp_path, monkeypatch, capsys
):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir(), killed.mkdir()
    classifier, stage = killed / "checkpoint" / "classifier", killed / "checkpoint" / "gan-base"

    # 1. Killed while it trains the classifier, after one of its eight short epochs.
    log = tmp_path / "first.log"
    kill_when(start(_command(killed), log), lambda: epochs_saved(classifier) >= 1, log)
    assert 1 <= epochs_saved(classifier) < 8, log.read_text()[-2000:]
    assert not (classifier / "finished.json").exists()
    assert not list((killed / "keras_home").rglob("*.keras"))  # nothing cached half-trained
    resumed_at = epochs_saved(classifier)

    # 2. Run again: the classifier goes on from its saved epoch; killed in the GAN's training.
    log = tmp_path / "second.log"
    kill_when(start(_command(killed), log), lambda: epochs_saved(stage) >= 1, log)
    assert re.findall(r"Epoch (\d+)/8", log.read_text())[:1] == [str(resumed_at + 1)]
    assert (classifier / "finished.json").exists()
    assert 1 <= epochs_saved(stage) < 3, log.read_text()[-2000:]
    gan_resumed_at = epochs_saved(stage)

    # 3. Run again to the end, in this process (nothing kills it): the GAN goes on from its
    # saved epoch. Then the uninterrupted run without a checkpoint folder, its classifier
    # trained in a Keras home of its own.
    monkeypatch.setenv("KERAS_HOME", str(killed / "keras_home"))
    capsys.readouterr()
    command = _command(killed)
    assert cli.main(command[command.index("deepkit") + 1 :]) == 0
    done = capsys.readouterr().out
    assert re.findall(r"Epoch (\d+)/3", done)[:1] == [str(gan_resumed_at + 1)], done[-2000:]
    monkeypatch.setenv("KERAS_HOME", str(whole / "keras_home"))
    expected = gan.run(**KILLED, path=str(SUBSET))
    assert expected.classifier_origin == "trained"

    # Bit for bit the same classifier, GAN, logs and measures of every epoch, and table.
    cached = [keras.models.load_model(expected.classifier)]
    cached += [keras.models.load_model(p) for p in (killed / "keras_home").rglob("*.keras")]
    trained = [keras.models.load_model(killed / "gan.keras"), expected.gan]
    for a, b in (cached, trained):
        assert len(a.get_weights()) == len(b.get_weights()) > 0
        for x, y in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(x, y)
    logs = json.loads((stage / "results.json").read_text())["epochs"]
    assert [len(epoch) for epoch in logs] == [9, 9, 2]
    assert [epoch["d_loss"] for epoch in logs] == expected.history["d_loss"]
    assert [epoch["g_loss"] for epoch in logs] == expected.history["g_loss"]
    assert [(e, {k: v for k, v in logs[e - 1].items() if not k.endswith("loss")})
            for e in (1, 2)] == expected.trend  # fmt: skip
    assert _table(done) == _table(expected.report())
    assert "trend (epoch: Fréchet, precision, recall)" in done

    # The same folder with other settings is refused before any work.
    monkeypatch.setenv("KERAS_HOME", str(killed / "keras_home"))
    with pytest.raises(InputError, match="holds a run with other arguments .*epochs: 3 then 4"):
        gan.run(
            **{**KILLED, "epochs": 4}, path=str(SUBSET),
            checkpoint_dir=str(killed / "checkpoint"),
        )  # fmt: skip
