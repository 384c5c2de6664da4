"""Fine-tune a pretrained network on a folder of pictures, one sub-folder per class.

    deepkit finetune MobileNetV2 --images pictures/ --save-dir classifier/
    deepkit finetune base.keras --images pictures/ --unfreeze 20 --fine-tune-epochs 5
    deepkit predict images classifier/ new_pictures/

    result = run(base="MobileNetV2", images="pictures/", weights="none", epochs=3)
    print(result.report())

The steps of Keras's transfer-learning guide, on pictures streamed from their files:

1. Check the folder before anything loads (``deepkit.images.scan``: empty folders,
   empty or single classes, files that are not readable pictures, pictures smaller
   than the network's least input) and carve a validation set by seed.
2. Build the base: a ``keras.applications`` network without its top (``--weights``
   ``imagenet``, a weights file or ``none``), or a ``.keras`` file loaded in safe
   mode and cut below its classifier (``deepkit.finetune.new_model``).
3. Stream the pictures (``deepkit.image_pipeline``): Keras's decoding, the
   network's own ``preprocess_input`` in the pipeline, optionally Keras's random
   flips, rotations and zooms inside the model.
4. Train in the guide's two phases (``deepkit.finetune.train_phases``): the new head
   on the frozen base, then, if asked, the base's top ``unfreeze`` layers at a low
   learning rate, BatchNormalization kept frozen (inference mode). Each phase is a
   stage of the checkpoint folder (``--checkpoint-dir``): a killed fine-tune rerun
   with the same command resumes at its last epoch, to the same weights. Early
   stopping (``--patience``) watches the validation loss and keeps the best epoch.
5. Save a classifier a person can use (``deepkit.classifier_bundle``).

Settings are declared once (``Settings``): ``run()``'s keywords, the command line, the
checks before any work and the checkpoint's record.

The package's rooms: ``settings`` (the declaration and its checks), ``base`` (building
the pretrained network, with its refusals), ``recipe`` (``run``: the steps above),
``result`` (what a run gives back, and its report), ``cli`` (``deepkit finetune``),
``plots`` (a grid of pictures with their predictions, ``deepkit predict images --plot``),
``digit_folders`` (MNIST digits written as PNG class folders, a picture set to try it on).
"""

from deepkit.image_finetune.base import build_base
from deepkit.image_finetune.cli import add_arguments, main
from deepkit.image_finetune.digit_folders import write_digits
from deepkit.image_finetune.plots import plot_predictions
from deepkit.image_finetune.recipe import run
from deepkit.image_finetune.result import FinetuneResult
from deepkit.image_finetune.settings import Settings

__all__ = [
    "FinetuneResult",
    "Settings",
    "add_arguments",
    "build_base",
    "main",
    "plot_predictions",
    "run",
    "write_digits",
]
