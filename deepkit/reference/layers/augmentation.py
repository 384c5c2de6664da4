"""Image augmentation layers, channels last (mirror keras/src/layers/preprocessing/
image_preprocessing/random_{flip,translation,rotation,zoom}.py): the identity at
inference, a random transform of each image in training, drawn from the model's rng.

- RandomFlip(mode): each image is flipped with probability 1/2 (u <= 0.5,
  u ~ U[0, 1)): left-right ("horizontal"), top-bottom ("vertical") or both at once
  ("horizontal_and_vertical", one draw for both).
- The others resample each image by an affine matrix mapping an output pixel
  (x, y) to the input point it reads (``affine.py``, which also holds the fill
  modes and interpolations), for an image of h rows and w columns:

  - RandomTranslation: dy = u h, u ~ U[height lower, upper], then dx = v w,
    v ~ U[width lower, upper]; x_in = x - dx, y_in = y - dy.
  - RandomRotation: theta ~ U[360 lower, 360 upper] degrees (counter-clockwise),
    about the centre (cx, cy) = ((w - 1) / 2, (h - 1) / 2):
    x_in = cos(theta) (x - cx) - sin(theta) (y - cy) + cx,
    y_in = sin(theta) (x - cx) + cos(theta) (y - cy) + cy.
  - RandomZoom: zy ~ U[1 + height lower, 1 + height upper], zx likewise from
    width_factor (zx = zy without it); x_in = zx x + (w - 1) / 2 (1 - zx),
    y_in = zy y + (h - 1) / 2 (1 - zy): zoom out for z > 1, in for z < 1.

The matrices are computed in float32, as Keras computes them (its RandomRotation
fails in training under a float64 floatx). Backward: the flip flips the gradient
back; the others scatter it back through the resampling
(``affine.transform_backward``), the exact transpose. TensorFlow's registered
gradient resamples the gradient with the inverse matrix instead, which equals it for
flips and for translations with ``fill_mode="constant"``; for rotation, zoom and the
other fills the two differ, so a model with trainable layers *before* one of these
trains differently than in Keras (as an augmentation sits on the inputs, rarely).

For tests, set ``fixed_parameters`` to the per-image values Keras draws (the
entries of its ``get_random_transformation``) instead of drawing them;
``parameters`` holds the last ones used:

- RandomFlip: (n,) booleans, flipped or not (Keras's ``flips``);
- RandomTranslation: (n, 2) shifts (dx, dy) in pixels (Keras's ``translations``);
- RandomRotation: (n,) angles in degrees (Keras's ``angle``);
- RandomZoom: (n, 2) zooms (zx, zy) (Keras's ``width_zoom``, ``height_zoom``).

(One concept, random image augmentation, over about 350 lines: four layers on one
base, each with its draws, its matrix and its Keras settings.)
"""

import math

import numpy as np

from deepkit.reference.layers import affine
from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last, check_images
from deepkit.validation import InputError

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class _RandomImageLayer(Layer):
    """A layer that transforms each image by random per-image parameters, in training only."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.seed = seed
        self.fixed_parameters = None
        self.parameters = None

    def _parameters(self, inputs):
        """The injected ``fixed_parameters``, or a fresh draw for these images."""
        n, h, w = inputs.shape[:3]
        if self.fixed_parameters is None:
            if self.rng is None:
                self.rng = np.random.default_rng(self.seed)
            return self._draw(n, h, w)
        parameters = np.asarray(self.fixed_parameters)
        if len(parameters) != n:
            raise InputError(
                f"{type(self).__name__} fixed_parameters has {len(parameters)} rows "
                f"for a batch of {n} images"
            )
        return parameters

    def _draw(self, n, h, w):
        raise NotImplementedError(f"{type(self).__name__}._draw")

    def compute_output_shape(self, input_shape):
        check_images(input_shape, type(self).__name__)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": "channels_last"}


@register
class RandomFlip(_RandomImageLayer):
    """In training, each image flipped with probability 1/2; at inference the identity.
    Backward: the gradient flipped the same way.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or
            "horizontal_and_vertical" (both at once, Keras's default).
        seed: the seed of the layer's own rng (when no model gives it one).
        data_format: only "channels_last".

    Raises:
        InputError: for another mode or data_format, or inputs not 4-D.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in FLIP_MODES:
            raise InputError(f"RandomFlip mode must be one of {FLIP_MODES}, got {mode!r}")
        self.mode = mode
        self._axes = {"horizontal": (2,), "vertical": (1,)}.get(mode, (1, 2))

    def _draw(self, n, h, w):
        return self.rng.random(n) <= 0.5

    def _flip(self, images):
        return np.where(self._flips, np.flip(images, self._axes), images)

    def call(self, inputs, training=False):
        check_images(inputs.shape, "RandomFlip")
        if not training:
            self._flips = None
            return inputs
        self.parameters = self._parameters(inputs).astype(bool).reshape(-1)
        self._flips = self.parameters.reshape(-1, 1, 1, 1)
        return self._flip(inputs)

    def backward(self, grad):
        return grad if self._flips is None else self._flip(grad)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomImageLayer):
    """A layer that resamples each image by a random affine matrix (``affine.py``)."""

    def __init__(
        self,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        affine.check_fill_and_interpolation(fill_mode, interpolation, type(self).__name__)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = fill_value

    def _matrices(self, parameters, h, w):
        raise NotImplementedError(f"{type(self).__name__}._matrices")

    def call(self, inputs, training=False):
        check_images(inputs.shape, type(self).__name__)
        if not training:
            self._taps = None
            return inputs
        self.parameters = self._parameters(inputs)
        matrices = self._matrices(self.parameters, *inputs.shape[1:3])
        outputs, self._taps = affine.transform(
            inputs, matrices, self.interpolation, self.fill_mode, self.fill_value
        )
        return outputs

    def backward(self, grad):
        if self._taps is None:
            return grad
        if not self.propagate:
            return None
        return affine.transform_backward(grad, self._taps)

    def get_config(self):
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        }


def _factor_range(factor, name, layer, open_below=False):
    """(lower, upper) of a factor: a number f gives (-|f|, |f|), a pair is sorted; each
    bound in [-1, 1] (in (-1, 1] with ``open_below``), as Keras checks them."""
    pair = tuple(factor) if isinstance(factor, (tuple, list)) else None
    bounds = pair if pair is not None else (factor,)
    if (
        (pair is not None and len(pair) != 2)
        or not all(isinstance(b, (int, float)) for b in bounds)
        or any(b > 1 or b < -1 or (open_below and b == -1) for b in bounds)
    ):
        interval = "(-1, 1]" if open_below else "[-1, 1]"
        raise InputError(
            f"{layer} {name} must be a number or a pair of numbers in {interval}, got {factor!r}"
        )
    return tuple(sorted(pair)) if pair is not None else (-abs(factor), abs(factor))


@register
class RandomTranslation(_AffineLayer):
    """In training, each image shifted by (dx, dy) = (v w, u h) pixels, u and v uniform
    over the factors' ranges (x_in = x - dx, y_in = y - dy); at inference the identity.

    Args:
        height_factor: a fraction f of the height, shifts in [-|f| h, |f| h] (down
            for positive), or a pair (lower, upper); in [-1, 1].
        width_factor: likewise for the width (right for positive).
        fill_mode: "reflect" (Keras's default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (Keras's default) or "nearest".
        seed: the seed of the layer's own rng (when no model gives it one).
        fill_value: the value read outside the image with fill_mode="constant".
        data_format: only "channels_last".

    Raises:
        InputError: for a factor outside [-1, 1], an unknown fill_mode or
            interpolation, another data_format, or inputs not 4-D.
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _factor_range(height_factor, "height_factor", "RandomTranslation")
        self._width_range = _factor_range(width_factor, "width_factor", "RandomTranslation")

    def _draw(self, n, h, w):
        dy = self.rng.uniform(*self._height_range, size=n) * h
        dx = self.rng.uniform(*self._width_range, size=n) * w
        return np.stack([dx, dy], axis=1).astype("float32")

    def _matrices(self, parameters, h, w):
        shift = -np.asarray(parameters, dtype="float32")
        ones, zeros = np.ones(len(shift), "float32"), np.zeros(len(shift), "float32")
        return np.stack([ones, zeros, shift[:, 0], zeros, ones, shift[:, 1]], axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


@register
class RandomRotation(_AffineLayer):
    """In training, each image rotated about its centre by theta ~ U[360 lower,
    360 upper] degrees (counter-clockwise for positive); at inference the identity.

    Args:
        factor: a fraction f of a full turn, angles in [-|f|, |f|] * 360 (f in
            [-1, 1]), or a pair (lower, upper) (Keras only refuses a pair whose
            first entry exceeds 1 or whose second is below -1).
        fill_mode: "reflect" (Keras's default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (Keras's default) or "nearest".
        seed: the seed of the layer's own rng (when no model gives it one).
        fill_value: the value read outside the image with fill_mode="constant".
        data_format: only "channels_last".

    Raises:
        InputError: for a factor Keras refuses, an unknown fill_mode or
            interpolation, another data_format, or inputs not 4-D.
    """

    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        pair = tuple(factor) if isinstance(factor, (tuple, list)) else None
        if (
            (len(pair) != 2 or pair[0] > 1 or pair[1] < -1)
            if pair is not None
            else (not isinstance(factor, (int, float)) or abs(factor) > 1)
        ):
            raise InputError(
                f"RandomRotation factor must be a number in [-1, 1] or a pair of "
                f"numbers, got {factor!r}"
            )
        self.factor = tuple(sorted(pair)) if pair is not None else (-abs(factor), abs(factor))

    def _draw(self, n, h, w):
        angles = self.rng.uniform(self.factor[0] * 360.0, self.factor[1] * 360.0, size=n)
        return angles.astype("float32")

    def _matrices(self, parameters, h, w):
        f32 = np.float32
        theta = np.asarray(parameters, dtype="float32") * f32(math.pi / 180.0)
        cx, cy = f32(0.5) * (f32(w) - f32(1)), f32(0.5) * (f32(h) - f32(1))
        cos, sin = np.cos(theta), np.sin(theta)
        matrices = [cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos]
        return np.stack(matrices, axis=1)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@register
class RandomZoom(_AffineLayer):
    """In training, each image zoomed about its centre by zx, zy ~ U[1 + lower,
    1 + upper] (out for z > 1, in for z < 1); at inference the identity.

    Args:
        height_factor: a fraction f, zooms zy in [1 - |f|, 1 + |f|], or a pair
            (lower, upper); in (-1, 1].
        width_factor: likewise for zx; None (Keras's default) zooms both axes by zy.
        fill_mode: "reflect" (Keras's default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (Keras's default) or "nearest".
        seed: the seed of the layer's own rng (when no model gives it one).
        fill_value: the value read outside the image with fill_mode="constant".
        data_format: only "channels_last".

    Raises:
        InputError: for a factor outside (-1, 1], an unknown fill_mode or
            interpolation, another data_format, or inputs not 4-D.
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _factor_range(height_factor, "height_factor", "RandomZoom", True)
        self._width_range = (
            None
            if width_factor is None
            else _factor_range(width_factor, "width_factor", "RandomZoom", True)
        )

    def _draw(self, n, h, w):
        zy = 1 + self.rng.uniform(*self._height_range, size=n)
        zx = zy if self._width_range is None else 1 + self.rng.uniform(*self._width_range, size=n)
        return np.stack([zx, zy], axis=1).astype("float32")

    def _matrices(self, parameters, h, w):
        zoom = np.asarray(parameters, dtype="float32")
        one, two = np.float32(1), np.float32(2)
        offset_x = (np.float32(w) - one) / two * (one - zoom[:, 0])
        offset_y = (np.float32(h) - one) / two * (one - zoom[:, 1])
        zeros = np.zeros(len(zoom), "float32")
        return np.stack([zoom[:, 0], zeros, offset_x, zeros, zoom[:, 1], offset_y], axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
