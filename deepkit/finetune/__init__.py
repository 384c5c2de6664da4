"""Fine-tuning a pretrained Keras model on new classes, in the two phases of the
Keras transfer-learning guide.

    model = deepkit.finetune.finetune("digits_0_4.keras", 5, x, y, unfreeze=2, fine_tune_epochs=2)

1. Cut the old head: keep the model up to a named layer, or up to the last
   feature layer (what precedes the final Dense classifier and its dropout).
2. Freeze that base (``trainable = False``) and call it with ``training=False``,
   as the guide does. In Keras 3 that argument alone does not hold a trainable
   BatchNormalization in inference mode (its moving mean still moves during
   ``fit``); what does is keeping BatchNormalization layers frozen, as step 4 does.
3. Add a new head, ``[GlobalAveragePooling2D] -> Dropout -> Dense(num_classes,
   softmax)``, and train it (phase 1).
4. Optionally unfreeze the top ``unfreeze`` layers of the base (BatchNormalization
   layers stay frozen, so they keep their moving statistics) and train again with
   a low learning rate (phase 2).

``finetune`` does it all in one call; ``new_model`` (steps 1-3, the model) and
``train`` (the two phases) do it in two, for a caller that needs the model before
it trains (a checkpoint stage restores into it). Every training of ``train`` goes
through ``deepkit.training.fit``; each phase is a stage of the ``checkpoint`` given
(``head``, then ``unfrozen``; ``deepkit.checkpoints``), so a killed fine-tune
resumes at its last epoch and a phase that ended is restored, not trained again.
``train_phases`` runs those phases for a caller that feeds its own data
(``deepkit.image_finetune`` streams pictures from a folder).

The package's modules: ``head`` (the base cut, frozen, under a new head; the top layers
unfrozen), ``checks`` (the settings and data, checked before any training), ``phases``
(the two phases, ``train`` and ``finetune``).

A base may be a ``keras.applications`` network (``application``, from
``deepkit.applications``, which checks its name and input size before TensorFlow loads).

The result is a plain ``keras.Model`` that saves and loads as ``.keras``.
"""

from deepkit.applications import APPLICATIONS, application
from deepkit.finetune.checks import check_data, check_settings
from deepkit.finetune.head import (
    base_layers,
    base_of,
    check_unfreeze,
    feature_extractor,
    feature_layer,
    load_base,
    new_model,
    unfreeze_top,
    with_new_head,
)
from deepkit.finetune.phases import finetune, train, train_phases

__all__ = [
    "APPLICATIONS",
    "application",
    "base_layers",
    "base_of",
    "check_data",
    "check_settings",
    "check_unfreeze",
    "feature_extractor",
    "feature_layer",
    "finetune",
    "load_base",
    "new_model",
    "train",
    "train_phases",
    "unfreeze_top",
    "with_new_head",
]
