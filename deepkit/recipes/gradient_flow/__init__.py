"""Tutorial T3's lesson, measured: vanishing and exploding gradients in a deep net.

    from deepkit.recipes import gradient_flow
    result = gradient_flow.run()                    # 784-256x8-10, five variants
    result = gradient_flow.run(depth=4, variants=("sigmoid-uniform", "relu-he"))
    print(result.report())

T3 teaches that in a deep net trained by backpropagation the gradient reaching the
first layers can vanish (or explode), that deep belief nets (RBMs pretrained layer by
layer) were an answer, and lists ReLU among the activations. Backpropagation gives
dL/dW_l = a_{l-1}' delta_l, delta_l = (delta_{l+1} W_{l+1}') * f'(z_l): every layer the
error passes through multiplies it by W' and by f' (at most 1/4 for the sigmoid).

The recipe measures ||dL/dW_l|| for every layer l of a 784 -> ``depth`` x ``width`` ->
10 classifier on one fixed batch of MNIST training images, at initialisation and after
``steps`` plain SGD steps (``norms``), for each variant (``networks``):

- ``sigmoid-uniform``: U(-0.05, 0.05), Keras 2's "uniform" (the initializer T3's churn
  net names): the gradient vanishes, about x0.1 per layer.
- ``sigmoid-rbm``: the hidden layers are RBMs pretrained greedily, CD-1
  (``deepkit.models.dbn``): the norms of the hidden layers stay level.
- ``sigmoid-glorot``: Glorot (Xavier) uniform: vanishes more slowly (x0.25 per layer,
  the sigmoid's largest slope).
- ``sigmoid-large``: N(0, 16): units saturate, and through those left the gradient
  grows towards the input (exploding).
- ``relu-he``: ReLU, He normal: about level.

Its figure is ||dL/dW_1|| / ||dL/dW_L||, first layer over the softmax layer. Gradients
come from Keras's ``tf.GradientTape``; the NumPy reference (``deepkit.reference``)
computes the same norms on the same weights and batch, and the report gives its largest
relative gap. Only the training split is read: the held-out images that score each net
after the steps are carved from it.

Modules, one job each: ``settings`` (``Settings``), ``networks`` (``VARIANTS``,
``network``), ``norms`` (the gradient norms), ``recipe`` (``run``) and ``result``
(``GradientFlowResult``, its report and plot).
"""

from deepkit.recipes.gradient_flow.networks import VARIANTS, Variant, network
from deepkit.recipes.gradient_flow.norms import (
    first_to_last,
    gradient_norms,
    largest_difference,
    reference_gradient_norms,
)
from deepkit.recipes.gradient_flow.recipe import batches, measure, run
from deepkit.recipes.gradient_flow.result import Flow, GradientFlowResult
from deepkit.recipes.gradient_flow.settings import Settings

__all__ = [
    "VARIANTS",
    "Flow",
    "GradientFlowResult",
    "Settings",
    "Variant",
    "batches",
    "first_to_last",
    "gradient_norms",
    "largest_difference",
    "measure",
    "network",
    "reference_gradient_norms",
    "run",
]
