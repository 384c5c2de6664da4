"""scikit-learn's handwritten digits: 1,797 images of 8x8 pixels, labels 0-9.

Tutorial T2 trains on a 20x20 digit set from an online course that is not
public; this real set, which ships inside scikit-learn, plays its role.
"""

import numpy as np


def load_digits():
    """scikit-learn's handwritten digits, shipped inside scikit-learn.

    Returns:
        ``(x, y)``: ``x`` float64 of shape (1797, 64) in [0, 16], ``y`` int64 labels 0-9.

    Example:

    ```python
    x, y = deepkit.datasets.load_digits()
    x.shape  # (1797, 64)
    ```
    """
    from sklearn.datasets import load_digits as sklearn_digits

    x, y = sklearn_digits(return_X_y=True)
    return x.astype(np.float64), y.astype(np.int64)
