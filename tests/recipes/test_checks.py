"""Checks every recipe runs before any work (``deepkit.recipes.checks`` and the recipes'
settings): each bad argument of a recipe's ``run()`` raises InputError naming it while
neither TensorFlow nor any data set has been loaded, in a fresh interpreter."""

import pytest

# (recipe module, run() keywords, argument the error must name)
BAD_RUNS = [
    ("mnist", {"epochs": 0}, "epochs"),
    ("mnist", {"epochs": "3"}, "epochs"),
    ("mnist", {"patience": -1}, "patience"),
    ("mnist", {"validation_split": 1.5}, "validation_split"),
    ("mnist", {"seed": -1}, "seed"),
    ("mnist", {"strategy": "bogus"}, "strategy"),
    ("mnist", {"plot": "{missing}/wrong.png"}, "plot"),
    ("mnist", {"save": "{missing}/model.keras"}, "save"),
    ("mnist", {"checkpoint_dir": "{file}/checkpoints"}, "checkpoint_dir"),
    ("mnist", {"cpu_replicas": 0}, "cpu_replicas"),
    ("cnn", {"dropout": 1.5}, "dropout"),
    ("cnn", {"plot": "{tmp}/wrong.txt"}, "plot"),
    ("rnn", {"cell": "bogus"}, "cell"),
    ("rnn", {"units": 0}, "units"),
    ("rnn", {"patience": -1}, "patience"),
    ("rnn", {"seed": 1.5}, "seed"),
    ("transfer", {"save_dir": "{file}"}, "save_dir"),
    ("transfer", {"seed": -1}, "seed"),
    ("timeseries", {"plot": "{missing}/f.png"}, "plot"),
    ("timeseries", {"horizon": 0}, "horizon"),
    ("timeseries", {"seed": -1}, "seed"),
    ("gan", {"learning_rate": 0}, "learning_rate"),
    ("gan", {"label_smoothing": 1.0}, "label_smoothing"),
    ("gan", {"plot": "{file}"}, "plot"),
    ("gan", {"save": "{missing}/gan.keras"}, "save"),
    ("gan", {"measure_every": -1}, "measure_every"),
    ("t1", {"seed": -1}, "seed"),
    ("t1", {"n_samples": 5}, "n_samples"),
    ("t2", {"learning_rate": "1"}, "learning_rate"),
    ("t2", {"learning_rate": 1e308}, "learning_rate"),  # x 10 overflows
    ("t2", {"test_size": 1.5}, "test_size"),
    ("t2", {"seed": -1}, "seed"),
    ("t3", {"seed": -1}, "seed"),
]


@pytest.fixture(scope="module")
def probed(probe_before_work):
    """Every bad case, run in one fresh interpreter; its findings by case."""
    return probe_before_work([[name, kw] for name, kw, _ in BAD_RUNS], [])


@pytest.mark.parametrize("index", range(len(BAD_RUNS)), ids=lambda i: "-".join(
    [BAD_RUNS[i][0], *BAD_RUNS[i][1]]))  # fmt: skip
def test_bad_argument_fails_before_tensorflow_or_data_load(probed, index):
    _, _, argument = BAD_RUNS[index]
    error, data_loaded, tensorflow_loaded = probed["runs"][index]
    assert error is not None and error[0] == "InputError", error
    assert argument in error[1]
    assert not data_loaded and not tensorflow_loaded
