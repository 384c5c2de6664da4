"""The ``finetune`` measurement of ``deepkit reproduce``: held-out accuracy is the share of
pictures whose class folder the classifier names first, and the figures say plainly what ran."""

from types import SimpleNamespace

import pandas as pd

from deepkit.reproduce import MEASURES
from deepkit.reproduce import finetune as measurement


def test_held_out_accuracy_is_the_share_named_by_their_class_folder():
    folder = SimpleNamespace(paths=("5/a.png", "5/b.png", "6/c.png", "6/d.png"),
                             labels=(0, 0, 1, 1), class_names=("5", "6"))  # fmt: skip
    classifier = SimpleNamespace(
        table=lambda paths, top: pd.DataFrame({"path": paths, "class_1": ["5", "6", "6", "6"]})
    )
    assert measurement.accuracy(classifier, folder) == 0.75


def test_the_figures_name_the_pictures_the_base_and_both_arms(monkeypatch):
    measured = dict(pretrain_accuracy=0.99, n_pretrain=30596, pretrain_epochs=5,
                    transfer_accuracy=0.97, scratch_accuracy=0.93, transfer_seconds=1.0,
                    scratch_seconds=2.0, n_train=1000, n_held_out=1000,
                    sizes=measurement.FULL)  # fmt: skip
    monkeypatch.setattr(measurement, "measure", lambda folder, quick, path: measured)
    figures = measurement.finetune(False, None)
    assert MEASURES["finetune"] == ("finetune", measurement.finetune)
    assert [f["value"] for f in figures] == [0.99, 0.97, 0.93]
    assert [f["figure"] for f in figures] == [
        "test accuracy on 0-4, the base",
        "held-out accuracy on 5-9, transfer",
        "held-out accuracy on 5-9, from scratch",
    ]
    assert "pretrained on 30,596 MNIST images of 0-4, 5 epochs" in figures[0]["what"]
    for arm in figures[1:]:
        assert arm["what"].startswith(
            "MNIST digits 5-9 as 28x28 PNG class folders: 200 training pictures per digit "
            "(1,000), scored on 200 held-out pictures per digit from MNIST's test set (1,000); "
            "10 epochs, batch 32"
        )
    assert "base frozen, new head" in figures[1]["what"]
    assert "from random weights, all layers trained" in figures[2]["what"]
    assert {f["command"] for f in figures} == {"deepkit reproduce --only finetune"}
