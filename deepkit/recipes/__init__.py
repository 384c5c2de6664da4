"""Recipes: one module per tutorial result, each with ``run(...) -> result``.

Every recipe declares its settings once, as a ``Settings`` dataclass
(``deepkit.settings``): ``run(settings=None, /, *, verbose=0, **overrides)`` takes it, and
``deepkit run NAME`` generates its options from it (churn adds its modes around the same
declaration with ``add_arguments``/``main``). Modules load on first use, so
``deepkit.recipes.churn`` imports only what the churn recipe needs.
"""

from deepkit._lazy import lazy_submodules

RECIPES = {
    "churn": "Bank churn classifier of tutorial T3 (Keras or the NumPy reference)",
    "mnist": "MNIST multilayer perceptron (T1's network and a stronger default)",
    "cnn": "MNIST convolutional network in the style of keras-io's convnet",
    "transfer": "Pretrain a CNN on digits 0-4, fine-tune it on 5-9, compare with scratch",
    "t1": "Tutorial T1: the from-scratch MNIST ANN, its bugs fixed, on the NumPy reference",
    "t2": "Tutorial T2: the from-scratch 64-25-10 sigmoid net on scikit-learn's digits",
    "t3": "Tutorial T3: forward-propagation toy nets and the computational-graph example",
    "gradient_flow": "T3's lesson: per-layer gradient norms of deep sigmoid, RBM-pretrained, ReLU nets",
    "rnn": "MNIST read as sequences by an LSTM, GRU or SimpleRNN (rows, or pixel by pixel)",
    "timeseries": "Forecast a real series (Mauna Loa CO2) from rolling origins: networks vs classical methods",
    "dbn": "Deep belief net: RBMs pretrained layer by layer, fine-tuned; log-likelihood by AIS",
    "rbm": "One Bernoulli RBM (CD-k or PCD): its MNIST test log-likelihood by AIS",
    "gan": "GAN and conditional GAN on MNIST, with measured sample quality",
}

__all__ = sorted(RECIPES)


__getattr__, __dir__ = lazy_submodules(__name__, RECIPES)
