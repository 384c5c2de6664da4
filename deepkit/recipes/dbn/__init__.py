"""Deep belief nets (tutorial T3): RBMs pretrained greedily without labels, then
fine-tuned with labels, each beside the same net trained from random init.

    from deepkit.recipes import dbn
    result = dbn.run()                          # 784-500-500-2000-10 on full MNIST
    result = dbn.run(sizes=(64, 32), limit=1200, digits=False)
    print(result.report())

A restricted Boltzmann machine is a visible and a hidden layer of binary units with
energy E(v, h) = -v.b - h.c - v W h and no connections inside a layer, so
p(h_j = 1 | v) = sigmoid(c_j + (v W)_j) and p(v_i = 1 | h) = sigmoid(b_i + (W h)_i).
Contrastive divergence (CD-1) raises the probability of the data and lowers that of
the model's one-step reconstructions. Greedy pretraining trains RBM d on
p(h | v) of RBM d - 1; the unrolled stack of sigmoid layers, plus a softmax head,
is then fine-tuned by backprop (Hinton, Osindero & Teh 2006; Hinton &
Salakhutdinov 2006). RBMs train on grey levels in [0, 1] read as probabilities.

What it measures, in one run:

- MNIST: test error of the pretrained-then-fine-tuned DBN and of the same net
  from random init, same fine-tuning budget (epochs, early stopping on a
  validation split carved from the training images). Each init keeps, of the
  candidate fine-tuning learning rates, the one best on the validation split,
  and the epoch where that accuracy peaked; with ``refit`` (the default), it then
  trains again at that rate for those epochs on the training and validation images
  together (``finetuning``). The test set is used once per init, on the kept net.
- Low labels: the same two nets fine-tuned on ``labels`` labelled images only.
  Pretraining (shared by both regimes) saw every training image, unlabelled.
- The first RBM's average test log-likelihood of binarized MNIST (pixels > 0.5),
  log p(v) = -F(v) - log Z with log Z from AIS, and its standard error (``likelihood``).
- scikit-learn's digits ("RBM features for digit classification"): its own
  BernoulliRBM + LogisticRegression pipeline, LogisticRegression on raw pixels,
  deepkit's RBM + the same LogisticRegression, and a deepkit DBN, same splits
  (``digits``).

``plot=DIR`` saves the first RBM's filters and samples from it (``plots``). A
pretraining that diverged is refused with an ``InputError`` (``pretraining``), and
learning rates above 10 are refused before anything runs (``settings``).

Every RBM and every fine-tuned net trains through ``deepkit.training.fit`` (the rows
of epoch e in an order set by (seed, e)), as a stage of ``Checkpoint.open(
checkpoint_dir, settings.record())``: with ``checkpoint_dir=DIR`` each stage is saved
every epoch, the RBM's Gibbs generator and early stopping's state included, and a
rerun with the same settings restores the finished stages, resumes the one killed and
ends bit for bit where an uninterrupted run ends, and where the same run without a
folder ends. A folder of a run with other settings is refused. The AIS estimate
(seeded), the pictures and the digits table are not saved: a rerun computes them again.

Modules, one job each: ``settings`` (``Settings``), ``recipe`` (``run``),
``pretraining``, ``finetuning``, ``likelihood``, ``plots``, ``digits`` and ``result``
(``DbnResult``).
"""

from deepkit.recipes.dbn.digits import digits_table, nudged_digits
from deepkit.recipes.dbn.finetuning import compare_inits, error_rate, finetune
from deepkit.recipes.dbn.likelihood import ais_log_likelihood
from deepkit.recipes.dbn.plots import mosaic, plot_rbm
from deepkit.recipes.dbn.pretraining import check_converged, pretrain_stack
from deepkit.recipes.dbn.recipe import run
from deepkit.recipes.dbn.result import DbnResult
from deepkit.recipes.dbn.settings import Settings

__all__ = [
    "DbnResult",
    "Settings",
    "ais_log_likelihood",
    "check_converged",
    "compare_inits",
    "digits_table",
    "error_rate",
    "finetune",
    "mosaic",
    "nudged_digits",
    "plot_rbm",
    "pretrain_stack",
    "run",
]
