import re

import numpy as np
import pytest
from scipy.linalg import sqrtm

from deepkit.recipes.gan import sample_quality as sq


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


def test_precision_of_a_set_is_the_recall_of_the_other_way_round():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(40, 3)), rng.normal(1.0, 0.6, size=(30, 3))
    for k in (1, 3, 5):  # 3 cases
        precision, recall = sq.precision_recall(a, b, k, chunk=7)
        assert sq.precision_recall(b, a, k, chunk=11) == (recall, precision)
        assert 0 < precision < 1 and 0 < recall < 1  # neither trivially 0 nor 1


def test_balls_reach_the_kth_neighbour_not_the_next_one():
    """By hand, k = 2. Real points 0, 1, ..., 9 on a line: the ends' balls reach 2 away,
    the others' 1 away (with the 3rd neighbour they would reach 3 and 2). Fakes -1.5,
    4.5, 11.5, 30, 31, 32: -1.5 lies 1.5 from 0 (inside), 4.5 lies 0.5 from 4 (inside),
    11.5 lies 2.5 from 9 (outside a ball of 2, inside one of 3), 30..32 are far: precision
    2/6 (the 3rd neighbour would give 3/6). The fakes' balls: -1.5's reaches its 2nd
    neighbour 11.5, 13 away, and covers every real point: recall 1."""
    real = np.arange(10.0)[:, None]
    fake = np.array([-1.5, 4.5, 11.5, 30.0, 31.0, 32.0])[:, None]
    assert sq.precision_recall(real, fake, k=2) == (2 / 6, 1.0)
    assert sq.precision_recall(fake, real, k=2) == (1.0, 2 / 6)
    # k = 1: the ends' balls reach 1: 11.5 and -1.5 are out, 4.5 in; 30..32's balls
    # (radius 1) and -1.5's (6, to 4.5), 4.5's (6) and 11.5's (7) cover 0..9: recall 1
    assert sq.precision_recall(real, fake, k=1) == (1 / 6, 1.0)


def test_precision_and_recall_match_a_brute_force_count():
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(25, 2)), rng.normal(0.3, 1.1, size=(20, 2))

    def covered(queries, points, k):
        gaps = np.linalg.norm(points[:, None] - points[None], axis=-1)
        radii = np.sort(gaps, axis=1)[:, k]  # column 0: the point itself
        reach = np.linalg.norm(queries[:, None] - points[None], axis=-1)
        return np.mean(np.any(reach <= radii[None] + 1e-12, axis=1))

    for k in (1, 2, 4):  # 3 cases
        expected = (covered(fake, real, k), covered(real, fake, k))
        assert sq.precision_recall(real, fake, k) == pytest.approx(expected)


def test_features_are_checked_before_any_distance():
    from deepkit.validation import InputError

    nan = np.zeros((4, 2))
    nan[2, 1] = np.nan
    cases = {  # 5 cases
        "fake features hold NaN or inf (row 2)": (np.zeros((4, 2)), nan),
        "the feature sets differ in width: 2 vs 3": (np.zeros((4, 2)), np.zeros((4, 3))),
        "k must be an int in [1, n), got k=0": (np.zeros((4, 2)), np.zeros((4, 2)), 0),
        "need an (n, d) feature set with n >= 1, got shape (4,)": (np.zeros(4), np.zeros((4, 2))),
        "chunk must be an int >= 1, got 0": (np.zeros((4, 2)), np.zeros((4, 2)), 1, 0),
    }
    for message, arguments in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            sq.precision_recall(*arguments)
    assert sq.precision_recall(np.eye(4), np.eye(4), k=np.int64(2)) == (1.0, 1.0)
    with pytest.raises(InputError, match="features hold NaN or inf"):
        sq.frechet_distance(nan, np.zeros((4, 2)))
