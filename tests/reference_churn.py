"""Shared by the NumPy reference's model API tests: churn-like data and the 11-6-6-1 churn net."""

import numpy as np

from deepkit import reference as ref


def churn_like(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 11))
    return x, (x[:, 0] - x[:, 1] > 0).astype(int)


def churn_net(seed=0, dtype="float32"):
    model = ref.Sequential(
        [
            ref.Input((11,)),
            ref.Dense(6, activation="relu"),
            ref.Dense(6, activation="relu"),
            ref.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
