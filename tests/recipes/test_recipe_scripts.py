"""Every script in recipes/ runs top to bottom on small real data, prints its figures, and
writes out the very network its recipe's builder makes.

Each script runs in this process as ``python recipes/NAME.py ARGS`` would run it
(``runpy`` with ``sys.argv`` set); the test reads the figure it prints, checks it is one a
working recipe produces (chance is 0.1 for ten digits), and compares the script's inline
``model`` with the builder's: the same layers with the same configuration, names and
seeds aside.
"""

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBSET = str(ROOT / "tests" / "data" / "mnist_subset.npz")
MNIST = ["--limit", "600", "--path", SUBSET]


def _churn(script_globals):
    from deepkit.recipes import churn

    return churn.build("tutorial", seed=0)


def _dbn(script_globals):
    from deepkit.models.dbn import dbn

    return dbn(784, script_globals["args"].sizes, 10)


def _transfer(script_globals):
    from deepkit.recipes.transfer import digits

    return digits.build_model()


def _gan(script_globals):
    from deepkit.models.gan import build_gan

    return build_gan("mlp", num_classes=10 if script_globals["args"].conditional else None, seed=0)


def _mnist_mlp(script_globals):
    from deepkit.recipes import mnist

    return mnist.build_model(script_globals["args"].config)


def _cnn(script_globals):
    from deepkit.recipes import cnn

    return cnn.build_model()


def _rnn(script_globals):
    from deepkit.recipes import rnn

    return rnn.build_model(script_globals["args"].cell)


# script, arguments, pattern of a printed figure, lowest acceptable value, highest,
# the builder whose network the script writes inline (None: the script has no Keras model)
SCRIPTS = [
    # churn: above the always-"stays" accuracy the script prints beside it (group 2)
    (
        "churn.py",
        ["--epochs", "5"],
        r"test accuracy (\d\.\d+); T3 claimed .*always predicting 'stays' scores (\d\.\d+)",
        0.75,
        0.9,
        _churn,
    ),
    ("mnist.py", ["--epochs", "1", *MNIST], r"Test accuracy: (\d\.\d+)", 0.5, 1.0, _mnist_mlp),
    (
        "mnist.py",
        ["--config", "t1", "--epochs", "10", *MNIST],
        r"Test accuracy: (\d\.\d+)",
        0.3,
        1.0,
        _mnist_mlp,
    ),
    ("cnn.py", ["--epochs", "2", *MNIST], r"Test accuracy: (\d\.\d+)", 0.3, 1.0, _cnn),
    (
        "rnn.py",
        ["--cell", "gru", "--epochs", "2", *MNIST],
        r"Test accuracy: (\d\.\d+)",
        0.2,
        1.0,
        _rnn,
    ),
    (
        "dbn.py",
        ["--sizes", "64", "--pretrain-epochs", "1", "--finetune-epochs", "5"]
        + ["--ais-betas", "100", *MNIST],
        r"Test accuracy \(pretrained\): (\d\.\d+)",
        0.3,
        1.0,
        _dbn,
    ),
    (
        "transfer.py",
        ["--epochs", "5", *MNIST],
        r"Test accuracy on 5-9: (\d\.\d+)",
        0.4,
        1.0,
        _transfer,
    ),
    # gan: the real test digits (group 2) closer to the training digits than Bernoulli noise
    (
        "gan.py",
        ["--conditional", "--epochs", "1", *MNIST, "--min-classifier-accuracy", "0"],
        r"Bernoulli noise (\d+\.\d+), real test digits (\d+\.\d+)",
        0.0,
        1e6,
        _gan,
    ),
    (
        "t1_mnist_from_scratch.py",
        ["--epochs", "1", "--samples", "1000", "--path", SUBSET],
        r"test accuracy after 1 epochs: (\d+\.\d+)%",
        50.0,
        100.0,
        None,
    ),
    (
        "t2_digits_from_scratch.py",
        [],
        r"sensible\s+1\.0\s+2000\s+\S+ -> \S+\s+\S+%\s+(\d+\.\d+)%",
        90.0,
        100.0,
        None,
    ),
    (
        "t3_forward_propagation.py",
        [],
        r"2-2-2-1 net, relu hidden, input \[3, 5\]\s+364\s+(\S+)\s+364",
        364,
        364,
        None,
    ),
]


def layer_configs(model):
    """Each layer's class and configuration, without names and seeds (which only label)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("name", "seed")}
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    return [(type(layer).__name__, strip(layer.get_config())) for layer in model.layers]


def test_layer_configs_tell_different_networks_apart():
    import keras

    def net(units):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, name=f"d{units}")])

    assert layer_configs(net(3)) == layer_configs(net(3))
    assert layer_configs(net(3)) != layer_configs(net(5))


@pytest.mark.parametrize(
    "script, args, pattern, low, high, builder",
    SCRIPTS,
    ids=[f"{s[0]}:{' '.join(s[1][:2])}" for s in SCRIPTS],
)
def test_recipe_script_runs_and_writes_out_its_recipes_network(
    script, args, pattern, low, high, builder, monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(sys, "argv", [script, *args])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # the GAN script caches its classifier
    script_globals = runpy.run_path(str(ROOT / "recipes" / script), run_name="__main__")
    printed = capsys.readouterr().out
    match = re.search(pattern, printed)
    assert match, f"{script} did not print a line matching {pattern!r}:\n{printed[-2000:]}"
    assert low <= float(match.group(1)) <= high
    if match.re.groups == 2:  # a trivial baseline measured in the same run
        assert float(match.group(1)) > float(match.group(2))
    if builder is not None:
        model, built = script_globals["model"], builder(script_globals)
        if hasattr(built, "generator"):  # a GAN: its two networks
            pairs = [(model.generator, built.generator), (model.discriminator, built.discriminator)]
        else:
            pairs = [(model, built)]
            assert model.loss == built.loss
        for inline, from_builder in pairs:
            assert layer_configs(inline) == layer_configs(from_builder)
