"""Affine resampling of images, channels last, as TensorFlow's ImageProjectiveTransformV3
(tensorflow/core/kernels/image/image_ops.h, which Keras's ``affine_transform`` calls):
the shared core of RandomTranslation, RandomRotation and RandomZoom.

Each image n has a matrix (a0, a1, a2, b0, b1, b2) mapping an OUTPUT pixel (x, y)
(column, row) to the INPUT point it samples::

    x_in = a0 x + a1 y + a2,        y_in = b0 x + b1 y + b2

A point outside [0, w - 1] x [0, h - 1] is first brought back per axis by
``fill_mode`` (len the axis length, scipy.ndimage's conventions), then clamped to
[0, len - 1]:

- "reflect" (d c b a | a b c d | d c b a): c < 0 -> -c - 1 (modulo 2 len),
  c > len - 1 -> 2 len - c - 1 (modulo 2 len);
- "wrap" (a b c d | a b c d | a b c d): shifted by multiples of len (counted in
  steps of len - 1, as TensorFlow does);
- "nearest" (a a a a | a b c d | d d d d): only the clamp;
- "constant" (k k k k | a b c d | k k k k): unchanged; any pixel read outside the
  image is ``fill_value``.

Interpolation at the point (x, y):

- "nearest": the pixel at (round(y), round(x)), halves rounded away from zero;
- "bilinear": with x0 = floor(x), x1 = x0 + 1 (and y0, y1 likewise),

      f(x, y) = (y1 - y) [(x1 - x) f(x0, y0) + (x - x0) f(x1, y0)]
              + (y - y0) [(x1 - x) f(x0, y1) + (x - x0) f(x1, y1)]

  where a pixel outside the image reads ``fill_value`` (in every fill mode; after
  the clamp only with weight zero).

As TensorFlow's kernel, the matrix is float32 and the sample points, weights and
bilinear values are computed in float32 whatever the images' dtype (the result is
cast back: a float64 bilinear output carries float32 rounding, as in Keras); a
nearest output is an input pixel itself.

For fixed matrices the map is linear in the images; the backward pass is its
transpose: each output pixel's gradient, times each tap's weight, is added onto the
input pixel the tap read (none for a ``fill_value`` read), summed by ``np.bincount``.
TensorFlow's registered gradient is instead the upstream gradient resampled by the
inverse matrix, which agrees with this transpose for translations with
fill_mode="constant" (and for the identity) but not for rotations, zooms or the
other fill modes.
"""

import numpy as np

from deepkit.validation import InputError

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")

_F32 = np.float32


def check_fill_and_interpolation(fill_mode, interpolation, layer):
    if fill_mode not in FILL_MODES:
        raise InputError(f"{layer} fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
    if interpolation not in INTERPOLATIONS:
        raise InputError(
            f"{layer} interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}"
        )


def _reflect(c, length):
    size = _F32(2 * length)
    below = size * np.trunc(-c / size) + c
    below = np.where(below < -length, below + size, -below - _F32(1))
    above = c - size * np.trunc(c / size)
    above = np.where(above >= length, size - above - _F32(1), above)
    return np.where(c < 0, below, np.where(c > length - 1, above, c))


def _wrap(c, length):
    steps = _F32(length - 1)
    below = c + _F32(length) * (np.trunc(-c / steps) + _F32(1))
    above = c - _F32(length) * np.trunc(c / steps)
    return np.where(c < 0, below, np.where(c > length - 1, above, c))


def _map(c, length, fill_mode):
    """TensorFlow's MapCoordinate: the float32 coordinate ``c`` brought inside the axis."""
    if fill_mode == "constant":
        return c
    if length <= 1:
        return np.zeros_like(c)
    if fill_mode == "reflect":
        c = _reflect(c, length)
    elif fill_mode == "wrap":
        c = _wrap(c, length)
    return np.clip(c, _F32(0), _F32(length - 1))


def _round_half_away(c):
    """std::round of float32 coordinates (exact in float64 for image-sized values)."""
    c = c.astype("float64")
    return np.trunc(c + np.copysign(0.5, c)).astype(np.int64)


def _tap(rows, cols, shape):
    """(flat pixel index, inside the image) of the reads at integer (rows, cols)."""
    n, h, w = shape
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    batch = np.arange(n).reshape(n, 1, 1)
    index = (batch * h + np.clip(rows, 0, h - 1)) * w + np.clip(cols, 0, w - 1)
    return index.ravel(), inside.ravel()


def transform(images, matrices, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    """Resample each image by its matrix (output pixel -> input point).

    Args:
        images: (n, h, w, c) floats.
        matrices: (n, 6) rows (a0, a1, a2, b0, b1, b2), used in float32.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: what a read outside the image gives.

    Returns:
        (outputs of the images' shape and dtype, the taps ``transform_backward`` needs).
    """
    n, h, w, c = images.shape
    m = np.asarray(matrices, dtype=_F32).reshape(n, 6, 1, 1)
    cols = np.arange(w, dtype=_F32).reshape(1, w)
    rows = np.arange(h, dtype=_F32).reshape(h, 1)
    x = _map(m[:, 0] * cols + m[:, 1] * rows + m[:, 2], w, fill_mode)
    y = _map(m[:, 3] * cols + m[:, 4] * rows + m[:, 5], h, fill_mode)
    pixels = images.reshape(n * h * w, c)
    if interpolation == "nearest":
        index, inside = _tap(_round_half_away(y), _round_half_away(x), (n, h, w))
        fill = images.dtype.type(_F32(fill_value))
        outputs = np.where(inside[:, None], pixels[index], fill).reshape(images.shape)
        taps = [(index, inside, None)]
        return outputs.astype(images.dtype, copy=False), (images.shape, taps)
    pixels = pixels.astype(_F32, copy=False)
    fill = _F32(fill_value)
    x0, y0 = np.floor(x), np.floor(y)
    x1, y1 = x0 + _F32(1), y0 + _F32(1)
    wx = (x1 - x, x - x0)
    wy = (y1 - y, y - y0)
    corners = [(i, j) for i in range(2) for j in range(2)]
    taps, values = [], {}
    for i, j in corners:
        index, inside = _tap((y0, y1)[i].astype(np.int64), (x0, x1)[j].astype(np.int64), (n, h, w))
        values[i, j] = np.where(inside[:, None], pixels[index], fill).reshape(n, h, w, c)
        weight = wy[i].astype(images.dtype) * wx[j].astype(images.dtype)
        taps.append((index, inside, weight.ravel()))
    bx = [weight[..., None] for weight in wx]
    by = [weight[..., None] for weight in wy]
    rows_mixed = [bx[0] * values[i, 0] + bx[1] * values[i, 1] for i in range(2)]
    outputs = by[0] * rows_mixed[0] + by[1] * rows_mixed[1]
    return outputs.astype(images.dtype), (images.shape, taps)


def transform_backward(grad, taps):
    """dLoss/d(images) from dLoss/d(outputs): the transpose of ``transform``'s linear map.

    Every read adds its weighted share of its output pixel's gradient to the input pixel it
    read; ``np.bincount`` sums them, channel by channel.

    Args:
        grad: (n, h, w, c), the outputs' gradient.
        taps: the second value ``transform`` returned.
    """
    shape, taps = taps
    n, h, w, c = shape
    upstream = grad.reshape(n * h * w, c)
    reads, shares = [], []
    for index, inside, weight in taps:
        contribution = upstream[inside]
        if weight is not None:
            contribution = contribution * weight[inside, None]
        reads.append(index[inside])
        shares.append(contribution)
    reads, shares = np.concatenate(reads), np.concatenate(shares).T
    dx = np.empty((c, n * h * w), dtype=grad.dtype)
    for channel in range(c):
        dx[channel] = np.bincount(reads, shares[channel], minlength=n * h * w)
    return dx.T.reshape(shape)
