"""The Keras GAN and its builders, and the parity of the NumPy reference's adversarial step."""

import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import deepkit.reference as ref
from deepkit.models import gan as kgan
from deepkit.parity import keras_float_dtype
from deepkit.recipes.gan.sample_quality import bernoulli_baseline
from deepkit.reference import gan as rgan
from deepkit.reference import optimizers as ref_optimizers
from deepkit.validation import InputError

LATENT, IMAGE, CLASSES, BATCH = 5, 12, 3, 6
SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"


@pytest.fixture(scope="module")
def mnist_subset_ones():
    """The subset's training 1s, flat, in tanh's range [-1, 1]."""
    with np.load(SUBSET) as data:
        x, y = data["x_train"], data["y_train"]
    return x[y == 1].reshape(-1, 784).astype("float32") / 127.5 - 1


def keras_pair(dtype, num_classes, seed=0, minibatch_std=False):
    """A tiny MLP generator/discriminator pair built in ``dtype`` (floatx and the dtype
    policy both: once any test has set a policy, floatx alone no longer decides)."""
    with keras_float_dtype(dtype):
        g = kgan.mlp_generator(LATENT, num_classes, hidden=(8, 7), image_dim=IMAGE, seed=seed)
        d = kgan.mlp_discriminator(
            IMAGE, num_classes, hidden=(9, 4), seed=seed + 10, minibatch_std=minibatch_std
        )
    return g, d


def keras_gan(dtype, num_classes=None, minibatch_std=False, **options):
    g, d = keras_pair(dtype, num_classes, minibatch_std=minibatch_std)
    model = kgan.GAN(g, d, LATENT, num_classes, **options)
    model.compile(keras.optimizers.Adam(0.05, beta_1=0.5), keras.optimizers.Adam(0.03))
    return model


def step_inputs(dtype, num_classes, d_steps, seed=1):
    rng = np.random.default_rng(seed)
    real = rng.uniform(-1, 1, (BATCH, IMAGE)).astype(dtype)
    labels = None if num_classes is None else rng.integers(0, num_classes, BATCH)
    d_noise = [rng.standard_normal((BATCH, LATENT)).astype(dtype) for _ in range(d_steps)]
    return real, labels, d_noise, rng.standard_normal((BATCH, LATENT)).astype(dtype)


def assert_close(actual, expected, rtol):
    for a, e in zip(actual, expected, strict=True):
        e = np.asarray(e)
        np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * max(np.abs(e).max(), 1e-3))


CASES = [
    dict(),
    dict(num_classes=CLASSES),
    dict(num_classes=CLASSES, label_smoothing=0.1, d_steps=2, generator_loss="minimax"),
    dict(num_classes=CLASSES, minibatch_std=True, ema_decay=0.9),
]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-5)])
@pytest.mark.parametrize(
    "options", CASES, ids=["plain", "conditional", "smooth-2d-minimax", "mbstd-ema"]
)
def test_adversarial_step_matches_keras(dtype, rtol, options):
    model = keras_gan(dtype, **options)
    reference = kgan.to_reference(model)
    real, labels, d_noise, g_noise = step_inputs(dtype, model.num_classes, model.d_steps)
    k_labels = None if labels is None else tf.constant(labels)

    # Gradients of one D step and one G step, before any update.
    k_loss, k_grads = model.discriminator_gradients(tf.constant(real), k_labels, d_noise[0])
    t_loss, t_grads = reference.discriminator_gradients(real, labels, d_noise[0])
    assert_close([t_loss, *t_grads], [k_loss, *k_grads], rtol)
    k_loss, k_grads = model.generator_gradients(k_labels, g_noise)
    t_loss, t_grads = reference.generator_gradients(labels, g_noise)
    assert_close([t_loss, *t_grads], [k_loss, *k_grads], rtol)

    # Two whole adversarial steps (a short trajectory): losses and every updated weight.
    for step in range(2):
        real, labels, d_noise, g_noise = step_inputs(dtype, model.num_classes, model.d_steps, step)
        k_labels = None if labels is None else tf.constant(labels)
        k_logs = model.adversarial_step(tf.constant(real), k_labels, d_noise, g_noise)
        t_logs = reference.adversarial_step(real, labels, d_noise, g_noise)
        assert_close(
            [t_logs["d_loss"], t_logs["g_loss"]], [k_logs["d_loss"], k_logs["g_loss"]], rtol
        )
        assert_close(reference.discriminator.get_weights(), model.discriminator.get_weights(), rtol)
        assert_close(reference.generator.get_weights(), model.generator.get_weights(), rtol)
        if model.ema_decay is not None:
            assert_close(reference.ema_weights, model.generator_ema.get_weights(), rtol)
    labels = None if model.num_classes is None else np.arange(4) % model.num_classes
    assert_close([reference.generate(4, labels, seed=3)], [model.generate(4, labels, seed=3)], rtol)


@pytest.mark.parametrize("conditional", [False, True])
def test_a_dcgan_on_the_reference_takes_keras_adversarial_steps(conditional):
    """The convolutional pair (Conv2DTranspose, BatchNormalization, LeakyReLU, Reshape),
    through ``to_reference``: two adversarial steps equal to Keras's in float64, and
    ``load_reference`` gives the Keras GAN the reference's weights back."""
    num_classes = CLASSES if conditional else None
    with keras_float_dtype("float64"):
        g = kgan.dcgan_generator(LATENT, num_classes, filters=(6, 4), seed=0)
        d = kgan.dcgan_discriminator(num_classes, filters=(3, 5), seed=1)
        model = kgan.GAN(g, d, LATENT, num_classes, ema_decay=0.5)
        model.compile(keras.optimizers.Adam(0.01, beta_1=0.5), keras.optimizers.Adam(0.02))
    reference = kgan.to_reference(model)
    rng = np.random.default_rng(0)
    for _ in range(2):
        real = rng.uniform(-1, 1, (4, 28, 28, 1))
        labels = None if num_classes is None else rng.integers(0, num_classes, 4)
        d_noise, g_noise = [rng.standard_normal((4, LATENT))], rng.standard_normal((4, LATENT))
        k_labels = None if labels is None else tf.constant(labels)
        k_logs = model.adversarial_step(tf.constant(real), k_labels, d_noise, g_noise)
        t_logs = reference.adversarial_step(real, labels, d_noise, g_noise)
        assert_close([t_logs["d_loss"], t_logs["g_loss"]], [k_logs["d_loss"], k_logs["g_loss"]],
                     1e-9)  # fmt: skip
        assert_close(reference.generator.get_weights(), model.generator.get_weights(), 1e-9)
        assert_close(reference.discriminator.get_weights(), model.discriminator.get_weights(), 1e-9)
        assert_close(reference.ema_weights, model.generator_ema.get_weights(), 1e-9)
    with keras_float_dtype("float64"):
        fresh = kgan.GAN(kgan.dcgan_generator(LATENT, num_classes, filters=(6, 4), seed=5),
                         kgan.dcgan_discriminator(num_classes, filters=(3, 5), seed=6), LATENT,
                         num_classes, ema_decay=0.5)  # fmt: skip
    kgan.load_reference(fresh, reference)
    assert_close(fresh.generator_ema.get_weights(), reference.ema_weights, 0)
    assert_close(fresh.discriminator.get_weights(), reference.discriminator.get_weights(), 0)


def test_reference_gan_steps_apply_both_networks_constraints_as_keras():
    with keras_float_dtype("float64"):
        keras.utils.set_random_seed(0)
        g = keras.Sequential(
            [
                keras.Input((LATENT,)),
                keras.layers.Dense(
                    IMAGE, activation="tanh", kernel_constraint=keras.constraints.UnitNorm()
                ),
            ]
        )
        d = keras.Sequential([keras.Input((IMAGE,)), keras.layers.Dense(
            1, kernel_constraint=keras.constraints.MaxNorm(0.05))])  # fmt: skip
        model = kgan.GAN(g, d, LATENT)
        model.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5))
    reference = kgan.to_reference(model)
    real, _, d_noise, g_noise = step_inputs("float64", None, 1)
    model.adversarial_step(tf.constant(real), None, d_noise, g_noise)
    reference.adversarial_step(real, None, d_noise, g_noise)
    assert_close(reference.discriminator.get_weights(), model.discriminator.get_weights(), 1e-12)
    assert_close(reference.generator.get_weights(), model.generator.get_weights(), 1e-12)
    assert np.linalg.norm(model.discriminator.get_weights()[0]) == pytest.approx(0.05)


def test_to_reference_needs_a_compiled_gan():
    g, d = keras_pair("float32", None)
    with pytest.raises(InputError, match="compile the GAN"):
        kgan.to_reference(kgan.GAN(g, d, LATENT))


def test_the_generator_samples_with_the_moving_average_of_its_weights():
    """Three steps with d = 0.8: w_ema = d^3 w0 + d^2 (1 - d) w1 + d (1 - d) w2 + (1 - d) w3,
    w_t G's weights after step t; ``generate`` uses it, training G's own weights."""
    model = keras_gan("float64", ema_decay=0.8)
    seen = [model.generator.get_weights()]
    for step in range(3):
        real, _, d_noise, g_noise = step_inputs("float64", None, 1, step)
        model.adversarial_step(tf.constant(real), None, d_noise, g_noise)
        seen.append(model.generator.get_weights())
    share = [0.8**3, 0.8**2 * 0.2, 0.8 * 0.2, 0.2]
    expected = [sum(c * w[i] for c, w in zip(share, seen)) for i in range(len(seen[0]))]
    assert_close(model.generator_ema.get_weights(), expected, 1e-12)
    assert not np.allclose(expected[0], seen[-1][0])
    noise = np.random.default_rng(3).standard_normal((4, LATENT)).astype("float32")  # as generate
    assert_close([model.generate(4, seed=3)], [model.generator_ema(noise).numpy()], 1e-12)
    assert not np.allclose(model.generate(4, seed=3), model.generator(noise).numpy())


def test_reference_generator_step_leaves_the_discriminator_alone():
    model = keras_gan("float64")
    reference = kgan.to_reference(model)
    before = reference.discriminator.get_weights()
    _, _, _, g_noise = step_inputs("float64", None, 1)
    reference.generator_step(None, g_noise)
    assert_close(reference.discriminator.get_weights(), before, 0)
    assert reference.d_optimizer.iterations == 0 and reference.g_optimizer.iterations == 1


def test_builders_shapes_and_ranges():
    g = kgan.mlp_generator(100, 10)
    d = kgan.mlp_discriminator(num_classes=10)
    assert g.input_shape == (None, 110) and g.output_shape == (None, 784)
    assert d.input_shape == (None, 794) and d.output_shape == (None, 1)
    g = kgan.dcgan_generator(16, 10, filters=(8, 4))
    d = kgan.dcgan_discriminator(10, filters=(4, 8))
    assert g.output_shape == (None, 28, 28, 1) and d.input_shape == (None, 28, 28, 11)
    model = kgan.GAN(g, d, 16, 10)
    images = model.generate(7, labels=np.arange(7) % 10, seed=0)
    assert images.shape == (7, 28, 28, 1) and np.abs(images).max() <= 1
    np.testing.assert_array_equal(images, model.generate(7, labels=np.arange(7) % 10, seed=0))


def test_conditional_dcgan_trains_saves_and_loads_with_its_optimizers(tmp_path):
    g = kgan.dcgan_generator(8, 10, filters=(8, 4), seed=0)
    d = kgan.dcgan_discriminator(10, filters=(4, 8), seed=1, minibatch_std=True)
    model = kgan.GAN(g, d, 8, 10, ema_decay=0.5)
    model.compile(keras.optimizers.Adam(beta_1=0.5), keras.optimizers.Adam(beta_1=0.5))
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    history = model.fit(x, rng.integers(0, 10, 16), batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    scores = model.evaluate(x, rng.integers(0, 10, 16), verbose=0, return_dict=True)
    assert set(scores) == {"d_loss", "g_loss"} and np.isfinite(list(scores.values())).all()
    model.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    labels = np.arange(5)
    np.testing.assert_array_equal(
        loaded.generate(5, labels=labels, seed=1), model.generate(5, labels=labels, seed=1)
    )
    assert_close(loaded.generator_ema.get_weights(), model.generator_ema.get_weights(), 0)
    assert loaded.discriminator.get_layer("d_minibatch_std").output.shape == (None, 14, 14, 5)
    for mine, theirs in (
        (model.d_optimizer, loaded.d_optimizer),
        (model.g_optimizer, loaded.g_optimizer),
    ):
        assert int(theirs.iterations) == 2
        assert_close([v.numpy() for v in theirs.variables], [v.numpy() for v in mine.variables], 0)
    assert loaded.d_optimizer.get_config()["beta_1"] == 0.5


def test_reference_learns_one_digit(mnist_subset_ones):
    """A short run of the NumPy reference alone on the subset's 339 training 1s (12 epochs, batch 16): the samples'
    mean distance to their nearest real 1 falls from the untrained generator's ~27 to below that
    of per-pixel Bernoulli samples of the mean 1 (~12.4; seed 0 measured 10.1), and D's loss
    ends near the equilibrium 2 ln 2 = 1.39 rather than at 0 (D winning outright)."""
    x = mnist_subset_ones
    generator = ref.from_keras(kgan.mlp_generator(16, hidden=(64,), seed=0))
    discriminator = ref.from_keras(kgan.mlp_discriminator(hidden=(64,), seed=1))
    reference = rgan.GAN(generator, discriminator, 16, seed=0)
    reference.compile(ref_optimizers.Adam(5e-3, beta_1=0.5), ref_optimizers.Adam(5e-3, beta_1=0.5))

    def distance(samples):  # mean distance from each sample to its nearest real 1
        d2 = (samples**2).sum(1)[:, None] + (x**2).sum(1)[None] - 2 * samples @ x.T
        return float(np.sqrt(np.maximum(d2.min(1), 0)).mean())

    bernoulli = distance(bernoulli_baseline((x + 1) / 2, 200, seed=0) * 2 - 1)
    start = distance(reference.generate(200, seed=0))
    history = reference.fit(x, batch_size=16, epochs=12, verbose=0).history
    end = distance(reference.generate(200, seed=0))
    assert end < bernoulli < 0.5 * start
    assert 0.8 < history["d_loss"][-1] < 2.0


BAD = [
    (dict(latent_dim=4), "generator input shape"),
    (dict(num_classes=CLASSES), "generator input shape"),
    (dict(latent_dim=0), "latent_dim"),
    (dict(d_steps=0), "d_steps"),
    (dict(label_smoothing=1.0), "label_smoothing"),
    (dict(generator_loss="wasserstein"), "generator_loss"),
    (dict(ema_decay=1.0), "ema_decay must be a number >= 0.0 and < 1.0"),
]


@pytest.mark.parametrize("module", [kgan, rgan], ids=["keras", "reference"])
@pytest.mark.parametrize("change, message", BAD, ids=[m for _, m in BAD])
def test_bad_settings_are_refused(module, change, message):
    g, d = keras_pair("float32", None)
    if module is rgan:
        g, d = ref.from_keras(g), ref.from_keras(d)
    settings = dict(latent_dim=LATENT, num_classes=None) | change
    with pytest.raises(ValueError, match=message):
        module.GAN(g, d, **settings)


@pytest.mark.parametrize("module", [kgan, rgan], ids=["keras", "reference"])
def test_mismatched_models_and_bad_data_are_refused(module):
    g, d = keras_pair("float32", CLASSES)
    _, d_plain = keras_pair("float32", None)
    softmax_d = keras.Sequential(
        [keras.Input((IMAGE + CLASSES,)), keras.layers.Dense(2, "softmax")]
    )
    wrap = (lambda m: m) if module is kgan else ref.from_keras
    with pytest.raises(ValueError, match="discriminator input shape"):
        module.GAN(wrap(g), wrap(d_plain), LATENT, CLASSES)
    with pytest.raises(ValueError, match="one probability .* or one logit"):
        module.GAN(wrap(g), wrap(softmax_d), LATENT, CLASSES)
    model = module.GAN(wrap(g), wrap(d), LATENT, CLASSES)
    model.compile(module_optimizer(module), module_optimizer(module))
    x = np.zeros((4, IMAGE), "float32")
    with pytest.raises(ValueError, match=r"output range \[-1.0, 1.0\]"):
        model.fit(x + 1.5, np.zeros(4, int), verbose=0)
    with pytest.raises(ValueError, match="needs labels"):
        model.fit(x, verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        model.fit(x, np.array([0, 1, 2, 3]), verbose=0)
    with pytest.raises(ValueError, match="shape"):
        model.fit(np.zeros((4, IMAGE + 1), "float32"), np.zeros(4, int), verbose=0)


def module_optimizer(module):
    return keras.optimizers.Adam() if module is kgan else ref_optimizers.Adam()


def test_a_loss_that_does_not_match_the_discriminator_output_is_refused():
    g, d = keras_pair("float32", None)  # d ends in one logit
    model = kgan.GAN(g, d, LATENT)
    with pytest.raises(ValueError, match="from_logits=False"):
        model.compile(
            keras.optimizers.Adam(), keras.optimizers.Adam(), keras.losses.BinaryCrossentropy()
        )
    reference = rgan.GAN(ref.from_keras(g), ref.from_keras(d), LATENT)
    with pytest.raises(ValueError, match="from_logits=True"):
        reference.compile(
            ref_optimizers.Adam(), ref_optimizers.Adam(), ref.losses.BinaryCrossentropy()
        )


BAD_BUILDS = [  # (builder, arguments, message): 17 cases
    (
        kgan.build_gan,
        dict(learning_rate=-2e-4),
        "learning_rate must be a number > 0.0, got -0.0002",
    ),
    (kgan.build_gan, dict(learning_rate=0.0), "learning_rate must be a number > 0.0, got 0.0"),
    (kgan.build_gan, dict(beta_1=1.0), "beta_1 must be a number >= 0.0 and < 1.0, got 1.0"),
    (kgan.build_gan, dict(latent_dim=-5), "latent_dim must be an int >= 1, got -5"),
    (kgan.build_gan, dict(num_classes=1), "num_classes must be an int >= 2, got 1"),
    (kgan.build_gan, dict(label_smoothing=1.5), "label_smoothing must be a number >= 0.0"),
    (kgan.build_gan, dict(d_steps=0), "d_steps must be an int >= 1, got 0"),
    (kgan.build_gan, dict(arch="vae"), "arch must be one of mlp, dcgan, got 'vae'"),
    (kgan.build_gan, dict(d_learning_rate=0), "d_learning_rate must be a number > 0.0, got 0"),
    (kgan.build_gan, dict(minibatch_std=1), "minibatch_std must be True or False, got 1"),
    (kgan.mlp_discriminator, dict(minibatch_std="no"), "minibatch_std must be True or False"),
    (kgan.build_gan, dict(seed=2**32), "seed must be an int >= 0 and <= 4294967295"),
    (kgan.mlp_generator, dict(hidden=(256, -1)), "hidden must be a list of positive ints"),
    (kgan.mlp_generator, dict(image_dim=0), "image_dim must be an int >= 1, got 0"),
    (kgan.mlp_discriminator, dict(hidden=(0,)), "hidden must be a list of positive ints"),
    (kgan.dcgan_generator, dict(filters=(64,)), "filters must be two positive ints"),
    (kgan.dcgan_discriminator, dict(seed=-1), "seed must be an int >= 0 and <= 4294967295"),
]


@pytest.mark.parametrize("build, change, message", BAD_BUILDS, ids=[m for *_, m in BAD_BUILDS])
def test_gan_builders_refuse_nonsense_before_building(no_building, build, change, message):
    with pytest.raises(InputError, match=re.escape(message)):
        build(**change)


def test_gan_builders_take_numpy_numbers_like_python_ones(tmp_path):
    i = np.int64
    model = kgan.build_gan(
        "mlp", latent_dim=i(8), num_classes=i(3), learning_rate=np.float32(1e-3), d_steps=i(2),
        seed=i(2**32 - 1),
    )  # fmt: skip
    same = kgan.build_gan(
        "mlp", latent_dim=8, num_classes=3, learning_rate=1e-3, d_steps=2, seed=2**32 - 1
    )
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    images = model.generate(i(4), labels=np.array([0, 1, 2, 0]), seed=i(5), batch_size=i(3))
    np.testing.assert_array_equal(
        images, same.generate(4, labels=[0, 1, 2, 0], seed=5, batch_size=3)
    )
    model.save(tmp_path / "gan.keras")  # its config is plain JSON: no NumPy scalars
    assert keras.models.load_model(tmp_path / "gan.keras").latent_dim == 8
    for bad, message in (  # 3 cases
        (dict(n=0), "n must be a positive int, got 0"),
        (dict(n=2, seed=2**32), "seed must be an int >= 0 and <= 4294967295"),
        (dict(n=2, labels=[0.5, 1.0]), "labels must be 2 ints in [0, 3)"),
    ):
        with pytest.raises(InputError, match=re.escape(message)):
            model.generate(**bad)


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_build_gan_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        kgan.build_gan(seed=seed)


def test_layer_i_of_a_seeded_builder_is_initialized_with_seed_plus_i():
    def kernel(seed, layer):
        d = kgan.mlp_discriminator(image_dim=8, hidden=(8, 8), seed=seed)
        return np.asarray(d.get_layer(layer).kernel)

    assert not np.allclose(kernel(0, "d_dense1"), kernel(0, "d_dense2"))  # two (8, 8) kernels
    np.testing.assert_array_equal(kernel(0, "d_dense2"), kernel(1, "d_dense1"))
