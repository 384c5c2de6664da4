import numpy as np
import pytest
from scipy.linalg import sqrtm

from deepkit import sample_quality as sq


def random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def test_frechet_of_diagonal_gaussians_is_the_closed_form():
    # FD = |mu1 - mu2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2 when both covariances are diagonal.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 2.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    expected = 1 + 4 + 0 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
    got = sq.frechet_distance_from_moments(mu1, np.diag(a), mu2, np.diag(b))
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_of_full_covariances_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    s1, s2 = random_spd(rng, 6), random_spd(rng, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * sqrtm(s1 @ s2).real)
    assert sq.frechet_distance_from_moments(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def test_frechet_of_samples_converges_to_the_gaussians_distance():
    rng = np.random.default_rng(1)
    s1, s2 = random_spd(rng, 4), random_spd(rng, 4)
    mu1, mu2 = np.zeros(4), np.full(4, 0.5)
    x1 = rng.multivariate_normal(mu1, s1, size=200_000)
    x2 = rng.multivariate_normal(mu2, s2, size=200_000)
    exact = sq.frechet_distance_from_moments(mu1, s1, mu2, s2)
    assert sq.frechet_distance(x1, x2) == pytest.approx(exact, rel=0.02)
    assert sq.frechet_distance(x1, x1) == pytest.approx(0.0, abs=1e-9)


def test_precision_recall_of_identical_disjoint_and_nested_sets():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(300, 5))
    assert sq.precision_recall(real, real.copy()) == (1.0, 1.0)
    assert sq.precision_recall(real, real + 100.0) == (0.0, 0.0)
    # Fakes all collapsed onto a few real points: every fake is realistic (precision 1),
    # but their tiny balls cover only those points' neighbourhoods (recall small).
    fake = np.repeat(real[:2], 50, axis=0) + 1e-9 * rng.normal(size=(100, 5))
    precision, recall = sq.precision_recall(real, fake, chunk=64)
    assert precision == 1.0 and recall == pytest.approx(2 / 300)


def test_kth_neighbour_radius_on_a_line():
    points = np.arange(10.0)[:, None]  # neighbours at distance 1, 1, 2, 2, ...
    radii = sq._kth_neighbour_radii(points, 3, chunk=4)
    assert radii[5] == 4.0 and radii[0] == 9.0  # squared: 5's 3rd neighbour is 2 away, 0's is 3


def test_class_coverage_and_conditional_accuracy():
    shares, entropy = sq.class_coverage(np.arange(1000) % 10)
    assert np.allclose(shares, 0.1) and entropy == pytest.approx(np.log2(10))
    shares, entropy = sq.class_coverage(np.full(50, 3))
    assert shares[3] == 1.0 and entropy == 0.0
    assert sq.conditional_accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75


def test_bernoulli_baseline_has_the_mean_image():
    images = np.zeros((4, 784))
    images[:, :392] = 0.75
    samples = sq.bernoulli_baseline(images, 20_000, seed=0)
    assert set(np.unique(samples)) == {0.0, 1.0}
    assert samples[:, :392].mean() == pytest.approx(0.75, abs=0.01)
    assert samples[:, 392:].max() == 0.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        sq.to_images(np.full((2, 784), -0.5))
    with pytest.raises(ValueError, match="784 pixels"):
        sq.to_images(np.zeros((2, 28, 27)))
    with pytest.raises(ValueError, match="feature sets"):
        sq.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="k must be"):
        sq.precision_recall(np.zeros((3, 2)), np.zeros((3, 2)), k=3)


def test_sample_quality_measures_collapsed_samples_against_the_real_images():
    """With a pixel-feature stand-in classifier (Flatten -> Dense softmax), samples collapsed onto
    two real images are precise (1.0) but recall little (2 of 60), and sit far from the real
    images' Gaussian; the real images themselves score 0 and (1, 1)."""
    import keras

    rng = np.random.default_rng(3)
    real = rng.random((60, 28, 28))
    classifier = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    quality = sq.SampleQuality(classifier, real)
    collapsed = quality.measure(np.repeat(real[:2], 30, axis=0), requested=np.zeros(60, int))
    assert collapsed["precision"] == 1.0 and collapsed["recall"] == pytest.approx(2 / 60)
    assert collapsed["frechet"] > 10
    assert 0 <= collapsed["conditional_accuracy"] <= 1 and collapsed["shares"].sum() == 1
    itself = quality.measure(real)
    assert itself["frechet"] == pytest.approx(0, abs=1e-4)  # of Tr(S) + Tr(S) = 130
    assert (itself["precision"], itself["recall"]) == (1.0, 1.0)
