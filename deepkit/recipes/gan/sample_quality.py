"""How good generated MNIST digits are, measured with deepkit's own MNIST CNN classifier.

Features are the classifier's penultimate activations (the input of its final
softmax layer: a "Fréchet LeNet distance" when Inception is not an option).

- Fréchet distance between Gaussians fitted to two feature sets:
  FD = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)).
- Improved precision and recall (Kynkäänniemi et al. 2019): each point of a set
  owns a ball reaching its k-th nearest neighbour in that set; precision is the
  share of generated points inside some real ball, recall the share of real
  points inside some generated ball.
- Class coverage: the share of each digit as the classifier sees the samples,
  and its entropy in bits (log2(10) = 3.32 when every digit is equally common).
- Conditional accuracy: the share of samples classified as the digit asked for.

Images are given in [0, 1] with 784 pixels each, any of the shapes (n, 784),
(n, 28, 28), (n, 28, 28, 1).
"""

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import InputError, check_int, check_seed


def psd_sqrt(cov):
    """The symmetric square root of a symmetric positive semi-definite matrix (by eigh)."""
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance_from_moments(mu1, cov1, mu2, cov2, root1=None):
    """|mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)), with Tr((S1 S2)^(1/2)) computed as
    the sum of sqrt(eigenvalues) of the symmetric PSD matrix S1^(1/2) S2 S1^(1/2);
    ``root1`` = S1^(1/2) if already known."""
    root1 = psd_sqrt(cov1) if root1 is None else root1
    middle = np.linalg.eigvalsh(root1 @ cov2 @ root1)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * trace_root)


def check_features(features, name="features", least=2):
    """``features`` as a float64 (n, d) array with n >= ``least`` rows, all finite.

    Raises:
        InputError: for another shape, too few rows, or NaN or inf.
    """
    try:
        f = np.asarray(features, "float64")
    except (TypeError, ValueError) as error:
        raise InputError(f"{name} must be an (n, d) array of numbers ({error})") from None
    if f.ndim != 2 or len(f) < least:
        raise InputError(f"need an (n, d) feature set with n >= {least}, got shape {f.shape}")
    if not np.all(np.isfinite(f)):
        row = int(np.argwhere(~np.isfinite(f))[0][0])
        raise InputError(f"{name} hold NaN or inf (row {row})")
    return f


def moments(features):
    """(mean, covariance) of the rows of ``features``, checked, in float64."""
    f = check_features(features)
    return f.mean(0), np.cov(f, rowvar=False)


def frechet_distance(features1, features2):
    """Fréchet distance between Gaussians fitted to two feature sets (rows are samples)."""
    (mu1, cov1), (mu2, cov2) = moments(features1), moments(features2)
    if len(mu1) != len(mu2):
        raise InputError(f"the feature sets differ in width: {len(mu1)} vs {len(mu2)}")
    return frechet_distance_from_moments(mu1, cov1, mu2, cov2)


def _squared_distances(a, b):
    """|a_i - b_j|^2 for all pairs, float64."""
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(d, 0)


def _kth_neighbour_radii(points, k, chunk):
    """Squared distance from each point to its k-th nearest other point of the same set:
    the (k + 1)-th smallest of its row of distances, whose smallest is its own, 0."""
    radii = np.empty(len(points))
    for start in range(0, len(points), chunk):
        d = _squared_distances(points[start : start + chunk], points)
        radii[start : start + chunk] = np.partition(d, k, axis=1)[:, k]  # column 0 is itself
    return radii


def _coverage(queries, points, radii, chunk):
    """Share of ``queries`` within the ball of at least one of ``points``."""
    inside = 0
    for start in range(0, len(queries), chunk):
        d = _squared_distances(queries[start : start + chunk], points)
        inside += int(np.any(d <= radii[None, :], axis=1).sum())
    return inside / len(queries)


def precision_recall(real_features, fake_features, k=3, chunk=1000):
    """Improved precision and recall (Kynkäänniemi et al. 2019) with k-th neighbour balls.

    Each point owns the ball reaching its k-th nearest other point of its own set;
    precision is the share of fake points inside some real ball, recall the share of
    real points inside some fake ball, so ``precision_recall(a, b)`` is
    ``precision_recall(b, a)`` reversed.

    Args:
        real_features: (n_real, d) finite features of real samples.
        fake_features: (n_fake, d) finite features of generated samples.
        k: the neighbour that sets each ball's radius, an int in [1, min(n_real, n_fake)).
        chunk: rows per block of distances (bounds the memory), an int >= 1.

    Returns:
        ``(precision, recall)``, each in [0, 1].

    Raises:
        InputError: for sets that are not finite (n, d) arrays of the same width, or a
            ``k`` or ``chunk`` out of range.
    """
    real = check_features(real_features, "real features", least=1)
    fake = check_features(fake_features, "fake features", least=1)
    if real.shape[1] != fake.shape[1]:
        raise InputError(f"the feature sets differ in width: {real.shape[1]} vs {fake.shape[1]}")
    chunk = check_int(chunk, "chunk", min_value=1)
    if (
        isinstance(k, bool)
        or not isinstance(k, (int, np.integer))
        or k < 1
        or min(len(real), len(fake)) <= k
    ):
        raise InputError(f"k must be an int in [1, n), got k={k!r} with {len(real)}, {len(fake)}")
    k = int(k)
    precision = _coverage(fake, real, _kth_neighbour_radii(real, k, chunk), chunk)
    recall = _coverage(real, fake, _kth_neighbour_radii(fake, k, chunk), chunk)
    return precision, recall


def class_coverage(predicted, num_classes=10):
    """``(share of each class, entropy of those shares in bits)``."""
    shares = np.bincount(np.asarray(predicted), minlength=num_classes) / len(predicted)
    nonzero = shares[shares > 0]
    return shares, float(-(nonzero * np.log2(nonzero)).sum())


def conditional_accuracy(predicted, requested):
    """Share of samples classified as the class they were generated for."""
    return float(np.mean(np.asarray(predicted) == np.asarray(requested)))


def bernoulli_baseline(images, n, seed=0):
    """``n`` images whose pixels are 1 with the per-pixel mean of ``images`` (in [0, 1]), else 0.

    Raises:
        InputError: for ``n`` not an int >= 1 or ``seed`` not an int in [0, 2**32 - 1].
    """
    n = check_int(n, "n", min_value=1)
    seed = check_seed(seed)
    mean = np.asarray(images, "float64").reshape(len(images), -1).mean(0)
    rng = np.random.default_rng(seed)
    return (rng.random((n, mean.size)) < mean).astype("float32")


def to_images(images):
    """(n, 784) / (n, 28, 28) / (n, 28, 28, 1) in [0, 1] -> float32 (n, 28, 28, 1), checked."""
    images = np.asarray(images, "float32")
    if images.ndim < 2 or int(np.prod(images.shape[1:])) != 784:
        raise ValueError(f"images must hold 784 pixels each, got shape {images.shape}")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"images must lie in [0, 1], got [{images.min()}, {images.max()}]; map tanh output"
            " with (x + 1) / 2"
        )
    return images.reshape(len(images), 28, 28, 1)


class SampleQuality:
    """The measures above against a fixed set of real images, in the feature space of a trained
    MNIST classifier (a Keras model taking (28, 28, 1) images in [0, 1], ending in a softmax
    Dense layer). The real images' features, moments and covariance root are computed once."""

    def __init__(self, classifier, real_images, batch_size=1000):
        import keras

        self.batch_size = check_int(batch_size, "batch_size", min_value=1)
        last = classifier.layers[-1]
        self._extract = keras.Model(classifier.inputs, [last.input, last.output])
        self.real_features, _ = self.features_and_classes(real_images)
        self.real_mean, self.real_cov = moments(self.real_features)
        self.real_root = psd_sqrt(self.real_cov)

    def features_and_classes(self, images):
        """Penultimate features (float64) and predicted classes of ``images``."""
        features, probabilities = self._extract.predict(
            to_images(images), batch_size=self.batch_size, verbose=0
        )
        return features.astype("float64"), probabilities.argmax(1)

    def measure(self, images, requested=None, k=3):
        """Every measure of ``images`` against the real images, as a dict."""
        features, classes = self.features_and_classes(images)
        shares, entropy = class_coverage(classes)
        precision, recall = precision_recall(self.real_features, features, k)
        mean, cov = moments(features)
        result = {
            "frechet": frechet_distance_from_moments(
                self.real_mean, self.real_cov, mean, cov, self.real_root
            ),
            "precision": precision,
            "recall": recall,
            "shares": shares,
            "entropy": entropy,
        }
        if requested is not None:
            result["conditional_accuracy"] = conditional_accuracy(classes, requested)
        return result


def format_quality(rows, floor_name="MNIST train vs test"):
    """A table of measures (``rows``: name -> measure dict), Fréchet also as a multiple of the floor."""
    floor = rows[floor_name]["frechet"]
    header = ["images", "Fréchet", "x floor", "precision", "recall", "entropy", "min %", "max %",
              "cond. acc."]  # fmt: skip
    lines = []
    for name, m in rows.items():
        accuracy = m.get("conditional_accuracy")
        lines.append([
            name, f"{m['frechet']:.3f}", f"{m['frechet'] / floor:.1f}", f"{m['precision']:.3f}",
            f"{m['recall']:.3f}", f"{m['entropy']:.3f}", f"{100 * m['shares'].min():.1f}",
            f"{100 * m['shares'].max():.1f}", "" if accuracy is None else f"{accuracy:.4f}",
        ])  # fmt: skip
    return format_grid(header, lines)
