"""One live progress line: each update rewrites the line, the last one stays."""

import io

import keras
import numpy as np

from deepkit import training


def test_a_training_on_a_terminal_keeps_one_updating_line():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    from deepkit.progress import ProgressLine

    stream = io.StringIO()
    training.fit(model, x, y, epochs=4, batch_size=16, callbacks=[ProgressLine(stream, every=0)])
    written = stream.getvalue()
    assert written.count("\n") == 1 and written.endswith("\n")  # one line, left at the end
    updates = [u.replace("\033[K", "") for u in written.rstrip("\n").split("\r")[1:]]
    assert updates[-1].startswith("Epoch 4/4 · batch 4/4 · loss ")
    assert "s left" in updates[-2]  # after the first epoch, the time left is estimated
    left = [float(u.split(" · ")[-1].split()[0]) for u in updates if u.endswith("s left")]
    assert min(left) >= 0 and left[-1] == 0.0  # never negative; nothing left at the end
    assert len(updates) >= 4 * 4  # every batch of every epoch updated it
