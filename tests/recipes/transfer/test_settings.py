"""The transfer recipe's settings: declared once, they give the command line and refuse a
bad run before any work (an unknown application, an input smaller than its least, options
of the other experiment, a folder of another run), without loading data or TensorFlow and
without leaving a temporary folder."""

import json
import os
import subprocess
import sys

import pytest
from mnist_recipe_checks import SUBSET

from deepkit.recipes import transfer
from deepkit.recipes.transfer import Settings
from deepkit.validation import InputError


def test_the_recipe_is_its_settings_declaration():
    assert not hasattr(transfer, "add_arguments") and not hasattr(transfer, "main")
    s = Settings(epochs=2, save_dir="out", checkpoint_dir="ckpt")
    assert s.record() == dict(
        epochs=2,
        low_data=500,
        low_data_epochs=30,
        batch_size=128,
        limit=None,
        path=None,
        seed=0,
        application=None,
        image_size=32,
        engine="keras",
    )  # the output folders make no other run
    assert transfer.Settings.resolve(None, {"seed": 3}).seed == 3


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(application="NoSuchNet"), "application must be one of ConvNeXtBase, "),
        (
            dict(application="InceptionV3"),
            "keras.applications.InceptionV3 takes inputs of at least 75x75; "
            "image_size is 32: give 75 or more",
        ),
        (dict(application="Xception", image_size=70), "Xception takes inputs of at least 71x71"),
        (dict(application="MobileNetV2", low_data=100), "no low-data regime; drop low_data$"),
        (
            dict(application="MobileNetV2", low_data=100, low_data_epochs=5),
            "no low-data regime; drop low_data, low_data_epochs$",
        ),
        (dict(image_size=75), "image_size sizes the input of a keras.applications network"),
        (dict(image_size=31, application="MobileNetV2"), "image_size must be an int >= 32"),
        (dict(seed=-1), "seed"),
    ],
)
def test_a_bad_combination_is_refused_naming_it(overrides, message):
    with pytest.raises(InputError, match=message):
        Settings(**overrides)


def test_an_application_at_its_least_input_is_accepted():
    assert Settings(application="InceptionV3", image_size=75).image_size == 75
    assert Settings(application="MobileNetV2", low_data=500).low_data == 500  # the default


# Runs in a fresh interpreter: each command line, each run(), then what was loaded.
PROBE = r"""
import contextlib, io, json, sys
import deepkit.datasets
from deepkit import cli
from deepkit.recipes import transfer

loaded = []
def no_data(*args, **kwargs):
    loaded.append(True)
    raise RuntimeError("data loaded before the settings were checked")
deepkit.datasets.load_mnist = no_data

commands, runs = json.loads(sys.argv[1])
out = {"commands": [], "runs": []}
for argv in commands:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = cli.main(["run", "transfer", *argv])
    out["commands"].append([code, stderr.getvalue().strip().splitlines()[-1]])
for kwargs in runs:
    try:
        transfer.run(**kwargs)
        out["runs"].append(None)
    except Exception as error:
        out["runs"].append(str(error))
out["loaded"] = [bool(loaded), "tensorflow" in sys.modules, "keras" in sys.modules]
print(json.dumps(out))
"""


def test_bad_runs_are_refused_before_data_or_tensorflow_load_leaving_no_folder(tmp_path):
    file = tmp_path / "file"
    file.write_text("")
    folder = tmp_path / "checkpoint"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    commands = [
        ["--application", "NoSuchNet"],
        ["--application", "InceptionV3"],
        ["--application", "MobileNetV2", "--low-data", "100"],
        ["--save-dir", str(file)],
        ["--checkpoint-dir", str(file / "run")],
    ]
    # the first run makes the folder (and reaches the data); the second brings other settings
    runs = [dict(epochs=2, checkpoint_dir=str(folder)), dict(epochs=3, checkpoint_dir=str(folder))]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([commands, runs])],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
        timeout=60,
    )
    out = json.loads(done.stdout)
    codes, errors = zip(*out["commands"], strict=True)
    assert codes == (2,) * len(commands)
    assert "argument --application: invalid choice: 'NoSuchNet' (choose from " in errors[0]
    assert errors[1].endswith(
        "InceptionV3 takes inputs of at least 75x75; image_size is 32: give 75 or more"
    )
    assert errors[2].endswith("application has no low-data regime; drop low_data")
    assert errors[3] == f"deepkit: error: save_dir: {file} cannot be a folder: {file} is a file"
    assert errors[4] == (
        f"deepkit: error: checkpoint_dir: {file / 'run'} cannot be a folder: {file} is a file"
    )
    assert out["runs"][0] == "data loaded before the settings were checked"
    assert "holds a run with other arguments (epochs: 2 then 3)" in out["runs"][1]
    assert out["loaded"] == [True, False, False]  # only the first run reached the data
    assert list(temporary.iterdir()) == []  # no temporary folder left behind


def test_runs_failing_on_their_data_leave_no_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        transfer.run(path=str(tmp_path / "missing.npz"), limit=600, batch_size=32, low_data=60)
    with pytest.raises(InputError, match="low_data=28 must be below the 28 training images"):
        transfer.run(path=str(SUBSET), limit=60, low_data=28)
    assert list(tmp_path.iterdir()) == []
