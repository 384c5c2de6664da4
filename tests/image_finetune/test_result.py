"""The result of a fine-tune: its report names what was trained on, each phase's epochs (an
early stop said so), the validation accuracy beside the majority class's, and where the
classifier went."""

from types import SimpleNamespace

from deepkit.image_finetune import FinetuneResult, Settings


def _result(tmp_path, **settings):
    classifier = SimpleNamespace(model=None, image_size=(32, 32), channels=3,
                                 preprocessing="mobilenet_v2")  # fmt: skip
    history = {"loss": [0.9, 0.5], "accuracy": [0.6, 0.8], "val_loss": [0.7, 0.6]}
    return FinetuneResult(
        settings=Settings(
            base="MobileNetV2",
            images=str(tmp_path),
            weights="none",
            epochs=5,
            unfreeze=3,
            fine_tune_epochs=1,
            **settings,
        ),  # fmt: skip
        classifier=classifier,
        counts={"cats": 6, "dogs": 4},
        n_training=8,
        validation_labels=[0, 0, 1],
        skipped=(("pictures/cats/notes.txt", "not a picture (.txt)"),),
        histories={"head": history, "unfrozen": {"loss": [0.4]}},
        validation_accuracy=0.75,
        seconds=1.5,
    )


def test_the_report_names_the_data_the_phases_and_the_majority_class(tmp_path):
    result = _result(tmp_path)
    assert result.majority_accuracy == 2 / 3
    report = result.report()
    for line in (
        "base                          MobileNetV2 (weights: none)",
        "classes                       cats (6), dogs (4)",
        "8 training, 3 validation (carved by seed 0)",
        "32x32x3, preprocessing mobilenet_v2",
        "left out                      1 file(s): pictures/cats/notes.txt (not a picture (.txt))",
        "phase 1, new head             2 of 5 epochs (stopped early), loss 0.5000, accuracy "
        "0.8000, val_loss 0.6000",
        "phase 2, top layers unfrozen  1 of 1 epochs, loss 0.4000",
        "validation accuracy           0.7500 (the most common class alone: 0.6667)",
        "saved                         nowhere (give --save-dir DIR to keep the classifier)",
    ):
        assert line in report, line


def test_the_report_says_how_to_use_a_saved_classifier(tmp_path):
    report = _result(tmp_path, save_dir=str(tmp_path / "out"), augment=True).report()
    assert f"deepkit predict images {tmp_path / 'out'} PATH..." in report
    assert "augmented (flip, rotation, zoom)" in report
