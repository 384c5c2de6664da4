"""The RBM and GAN options both engines share: one declaration, the same defaults and the same
refusals on the Keras side and in the NumPy reference."""

import dataclasses
import inspect

import pytest

from deepkit import hyperparameters
from deepkit.validation import InputError

PAIRS = {
    "RBM": (hyperparameters.RBMSettings, "deepkit.models.rbm:RBM", "deepkit.reference.rbm:RBM"),
    "GAN": (hyperparameters.GANSettings, "deepkit.models.gan:GAN", "deepkit.reference.gan:GAN"),
}


def load(where):
    import importlib

    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("pair", PAIRS)
def test_both_engines_take_the_declared_defaults(pair):
    declaration, keras_side, reference_side = PAIRS[pair]
    for where in (keras_side, reference_side):
        parameters = inspect.signature(load(where).__init__).parameters
        for field in dataclasses.fields(declaration):
            assert parameters[field.name].default == field.default, (where, field.name)


def test_both_rbms_refuse_the_same_bad_options_with_the_same_message():
    from deepkit.models.rbm import RBM as KerasRBM
    from deepkit.reference.rbm import RBM as ReferenceRBM

    for options, message in (
        ({"k": 0}, "k must be an int >= 1, got 0"),
        ({"n_chains": 0}, "n_chains must be an int >= 1, got 0"),
        ({"weight_decay": -1e-4}, "weight_decay must be a number >= 0.0, got -0.0001"),
        ({"persistent": "yes"}, "persistent must be True or False, got 'yes'"),
    ):
        for rbm in (KerasRBM, ReferenceRBM):
            with pytest.raises(InputError, match=message):
                rbm(6, 3, **options)


def test_gan_options_are_checked_by_the_shared_declaration():
    with pytest.raises(InputError, match="generator_loss must be one of non_saturating, minimax"):
        hyperparameters.check_gan(8, None, 0.0, 1, "wasserstein")
    with pytest.raises(InputError, match="latent_dim must be an int >= 1, got 0"):
        hyperparameters.check_gan(0, None, 0.0, 1, "minimax")
    assert hyperparameters.check_gan(8, 10, 0.1, 2, "minimax").num_classes == 10
