"""The report of ``compare``: one row per quantity, layer (or layer call) and weight.

Each row holds max |reference - keras| and an allclose-style error ratio

    max |reference - keras| / (atol + rtol |keras|),   atol = rtol * scale,

where ``scale`` is the largest |keras| value of that quantity across the model
(so a near-zero element, e.g. a bias gradient that is a sum of cancelling
terms, is judged on the quantity's scale, not divided by itself). A row passes
when the ratio is at most 1, i.e. ``np.allclose(reference, keras, rtol, atol)``.
A NaN or infinite value on either side fails its row (ratio ``inf``): two NaNs are
not "equal", and a comparison of non-finite numbers says nothing about parity.
"""

from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import InputError


@dataclass
class ParityRow:
    """One row of a ``ParityReport``: how far one quantity is from Keras's.

    Attributes:
        quantity: "forward", "loss", "gradient" or "step".
        layer: the layer's name ("model" for the total loss, the output's name for
            the loss of one output; "outer/inner" for a layer of a nested model).
        weight: the weight's name; for a forward row "outputs" ("outputs (call 2)"
            for a layer's second call, "outputs[1]" for its second output tensor);
            "loss" for a loss.
        max_abs: max |reference - keras| (NaN or inf when a side is not finite).
        ratio: the allclose-style error ratio; at most 1 passes.
    """

    quantity: str
    layer: str
    weight: str
    max_abs: float
    ratio: float

    @property
    def passed(self):
        """True when the ratio is at most 1 (a NaN or infinite ratio fails)."""
        return bool(self.ratio <= 1)


@dataclass
class ParityReport:
    """The differences found by ``compare``; ``print(report)`` shows a table.

    Attributes:
        dtype: the dtype both models ran in.
        rtol: the relative tolerance every row is judged with.
        rows: the ``ParityRow``s, in the order they were added.
    """

    dtype: str
    rtol: float
    rows: list = field(default_factory=list)

    def add(self, quantity, entries):
        """Add one row per entry of one quantity.

        Args:
            quantity: the quantity's name ("forward", "loss", "gradient", "step").
            entries: (layer, weight, reference, keras) tuples; atol = rtol * the largest
                finite |keras| among them.

        Raises:
            InputError: if the NumPy reference's and Keras's arrays of an entry differ in shape.
        """
        pairs = []
        for layer, weight, reference, keras in entries:
            reference, keras = (
                np.asarray(reference, dtype="float64"),
                np.asarray(keras, dtype="float64"),
            )
            if reference.shape != keras.shape:
                raise InputError(
                    f"{quantity} {layer}/{weight}: reference shape {reference.shape} "
                    f"!= Keras shape {keras.shape}"
                )
            pairs.append((layer, weight, reference, keras))
        # The scale of the quantity from its finite values: one NaN row must not
        # change how the other rows are judged.
        scale = max(
            (np.max(np.abs(k[np.isfinite(k)]), initial=0.0) for *_, k in pairs), default=0.0
        )
        atol = self.rtol * scale
        for layer, weight, reference, keras in pairs:
            if not (np.all(np.isfinite(reference)) and np.all(np.isfinite(keras))):
                # NaN or inf on either side: the row fails, whatever the other side holds.
                nan = np.isnan(reference).any() or np.isnan(keras).any()
                self.rows.append(
                    ParityRow(quantity, layer, weight, np.nan if nan else np.inf, np.inf)
                )
                continue
            diff = np.abs(reference - keras)
            tolerance = atol + self.rtol * np.abs(keras)
            # With scale 0 every tolerance is 0: any difference is a failure.
            ratio = np.divide(
                diff, tolerance, out=np.where(diff > 0, np.inf, 0.0), where=tolerance > 0
            )
            self.rows.append(
                ParityRow(
                    quantity,
                    layer,
                    weight,
                    float(np.max(diff, initial=0.0)),
                    float(np.max(ratio, initial=0.0)),
                )
            )

    def _select(self, quantity):
        return [r for r in self.rows if quantity in (None, r.quantity)]

    def max_ratio(self, quantity=None):
        """The largest error ratio; at most 1 passes.

        Args:
            quantity: one quantity's name, or ``None`` for all rows.

        Returns:
            The largest ratio, 0.0 without rows.
        """
        return max((r.ratio for r in self._select(quantity)), default=0.0)

    def max_abs(self, quantity=None):
        """The largest absolute difference.

        Args:
            quantity: one quantity's name, or ``None`` for all rows.

        Returns:
            The largest max |reference - keras|, 0.0 without rows.
        """
        return max((r.max_abs for r in self._select(quantity)), default=0.0)

    @property
    def passed(self):
        """True when every row passes."""
        return all(r.passed for r in self.rows)

    def __str__(self):
        rows = [
            [
                r.quantity,
                r.layer,
                r.weight,
                f"{r.max_abs:.2e}",
                f"{r.ratio:.2e}",
                "pass" if r.passed else "FAIL",
            ]
            for r in self.rows
        ]
        title = (
            f"Parity: NumPy reference vs Keras ({self.dtype}, rtol {self.rtol:g}): "
            f"{'pass' if self.passed else 'FAIL'}"
        )
        grid = format_grid(["quantity", "layer", "weight", "max abs diff", "ratio", ""], rows)
        return "\n".join(
            [
                title,
                "-" * len(title),
                "ratio = max |reference - keras| / (atol + rtol |keras|), atol = rtol * "
                "max |keras| of the quantity; pass if ratio <= 1",
                grid,
            ]
        )
