"""The GAN's training: each variant builds its levers; the stage restores both optimizers and
the noise generator; the epoch's end plots and measures when due; images are mapped to the
generator's range."""

import warnings

import numpy as np
import pytest
from resume_helpers import Stop

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.gan import Settings
from deepkit.recipes.gan.training import (
    VARIANTS,
    EpochEnd,
    build,
    levers,
    to_gan_range,
    train_gan,
)

SETTINGS = Settings(epochs=4, batch_size=32, latent_dim=8, seed=3)


def test_images_are_mapped_to_the_generators_range_in_each_architectures_shape():
    x = np.array([[[0, 255]] * 28] * 2, dtype="uint8").repeat(14, axis=2)
    flat, square = to_gan_range(x, "mlp"), to_gan_range(x, "dcgan")
    assert flat.shape == (2, 784) and square.shape == (2, 28, 28, 1)
    assert flat.dtype == square.dtype == np.float32
    assert flat.min() == -1.0 and flat.max() == 1.0


def test_each_variant_builds_its_levers_and_nothing_else():
    assert VARIANTS == ("base", "mbstd", "ema", "ttur", "mbstd+ema", "mbstd+ttur", "ema+ttur",
                        "mbstd+ema+ttur")  # fmt: skip
    settings = Settings(latent_dim=8, learning_rate=1e-4, d_learning_rate=1e-3, ema_decay=0.9)
    for variant in ("base", "mbstd+ema+ttur", "ema"):
        gan, on = build(settings, variant), levers(variant)
        names = [layer.name for layer in gan.discriminator.layers]
        assert ("d_minibatch_std" in names) == ("mbstd" in on)
        assert gan.ema_decay == (0.9 if "ema" in on else None)
        assert (gan.generator_ema is None) == ("ema" not in on)
        d_rate = 1e-3 if "ttur" in on else 1e-4
        assert float(gan.d_optimizer.learning_rate) == pytest.approx(d_rate)
        assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)


class _Counting:
    def __init__(self):
        self.measured = 0

    def of(self, gan):
        self.measured += 1
        return {"frechet": 1.0, "shares": np.array([0.5, 0.5])}


def test_the_epochs_end_measures_every_n_epochs_but_the_last():
    measures = _Counting()
    end = EpochEnd(None, Settings(epochs=5, measure_every=2), measures)
    logged = []
    for epoch in range(5):
        logs = {"d_loss": 1.0}
        end(epoch, logs)
        logged.append(sorted(logs))
    assert measures.measured == 2
    assert logged[1] == logged[3] == ["d_loss", "frechet", "max_share", "min_share"]
    assert logged[0] == logged[2] == logged[4] == ["d_loss"]


def _train(data, stage, stop_after=None, variant="base"):
    """An unconditional GAN of latent_dim 8 trained 4 epochs by ``train_gan``."""
    gan = build(SETTINGS, variant)

    def on_epoch_end(epoch, logs):
        if epoch == stop_after:  # before the stage saves this epoch: a kill
            raise Stop

    try:
        results = train_gan(gan, *data, SETTINGS, stage, on_epoch_end=on_epoch_end)
    except Stop:
        return None, None
    return gan, results["epochs"]


@pytest.mark.parametrize("variant", ["base", "mbstd+ema+ttur"])
def test_the_gan_stage_restores_both_optimizers_and_the_noise_generator(tmp_path, variant):
    """The moving average of G's weights too: the weights compared include it."""
    rng = np.random.default_rng(0)
    data = rng.uniform(-1, 1, (160, 784)).astype("float32"), rng.integers(0, 10, 160)
    open_stage = lambda folder: Checkpoint.open(tmp_path / folder, {}).stage("gan")  # noqa: E731
    whole, whole_logs = _train(data, open_stage("a"), variant=variant)
    assert _train(data, open_stage("b"), stop_after=2, variant=variant) == (None, None)
    stage = open_stage("b")
    assert stage.resumed_at == 2 and len(stage.history) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed, resumed_logs = _train(data, stage, variant=variant)
    # Nothing in the saved state is skipped (Keras's default optimizer, were it kept, would be).
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]
    assert resumed_logs == whole_logs and len(whole_logs) == 4
    np.testing.assert_array_equal(whole.seed_generator.state, resumed.seed_generator.state)
    assert len(whole.get_weights()) == (12 if variant == "base" else 18)  # + G's average
    for x, y in zip(whole.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
