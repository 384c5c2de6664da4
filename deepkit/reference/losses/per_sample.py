"""Losses with one value per vector along the last axis (mirror
keras/src/losses/losses.py), eps = 1e-7:

- kl_divergence: sum over the last axis of y log(y / p), both clipped to [eps, 1];
- categorical_hinge: max(max_c (1 - y_c) p_c - sum_c y_c p_c + 1, 0);
- cosine_similarity: -sum_c y^_c p^_c, each vector scaled by min(1 / ||v||, 1 / eps).

Gradients follow TensorFlow's conventions at the kinks: ``maximum(a, b)``
sends the gradient to ``a`` on ties and ``minimum`` too; ``reduce_max`` splits
it evenly between tied maxima.
"""

import numpy as np

from deepkit.reference.losses.base import EPSILON, MeanLoss
from deepkit.validation import InputError


class KLDivergence(MeanLoss):
    """Per sample sum_c y_c log(y_c / p_c), y and p clipped to [eps, 1]; gradient
    -y_c / p_c where p_c lies inside the clip, else 0."""

    name = "kl_divergence"

    def terms(self, y_true, y_pred):
        y = np.clip(y_true, EPSILON, 1)
        p = np.clip(y_pred, EPSILON, 1)
        values = (y * np.log(y / p)).sum(axis=-1)
        return values, -y / p * (y_pred == p)


class CategoricalHinge(MeanLoss):
    """Per sample max(neg - pos + 1, 0), pos = sum_c y_c p_c, neg = max_c (1 - y_c) p_c;
    gradient, where neg - pos + 1 >= 0: (1 - y) times the indicator of the maxima
    (split evenly between ties) minus y."""

    name = "categorical_hinge"

    def terms(self, y_true, y_pred):
        pos = (y_true * y_pred).sum(axis=-1)
        others = (1 - y_true) * y_pred
        neg = others.max(axis=-1)
        margin = neg - pos + 1
        ties = others == neg[..., None]
        share = (ties / ties.sum(axis=-1, keepdims=True)).astype(y_pred.dtype)
        dneg = (1 - y_true) * share
        return np.maximum(margin, 0), (dneg - y_true) * (margin >= 0)[..., None]


class CosineSimilarity(MeanLoss):
    """Per sample -sum_c y^_c p^_c, v^ = v min(1 / ||v||, 1 / eps) along the last axis.

    Gradient, where ||p|| >= eps: -(y^ - p^ (y^ . p^)) / ||p||; else -y^ / eps.

    Args:
        axis: only -1 (Keras's default) is implemented.
    """

    name = "cosine_similarity"

    def __init__(self, axis=-1):
        super().__init__()
        if axis != -1:
            raise InputError(f"cosine_similarity: axis={axis!r} is not implemented (only -1)")
        self.axis = -1

    def terms(self, y_true, y_pred):
        cap = y_pred.dtype.type(1 / EPSILON)
        with np.errstate(divide="ignore"):
            inv_y = np.minimum(1 / np.sqrt((y_true * y_true).sum(-1, keepdims=True)), cap)
            inv_p = np.minimum(1 / np.sqrt((y_pred * y_pred).sum(-1, keepdims=True)), cap)
        y_hat, p_hat = y_true * inv_y, y_pred * inv_p
        dot = (y_hat * p_hat).sum(axis=-1, keepdims=True)
        grad = np.where(inv_p < cap, -(y_hat - p_hat * dot) * inv_p, -y_hat * cap)
        return -dot[..., 0], grad

    def get_config(self):
        return {"axis": self.axis}
