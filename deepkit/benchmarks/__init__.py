"""Benchmarks: ratios measured in one process, printed, never asserted on time.

Each module has ``add_arguments(parser)`` and ``main(args)`` for
``deepkit bench NAME``.
"""

BENCHMARKS = {
    "churn": "Churn net: deepkit's fast Keras training vs compile() defaults",
    "reference": "NumPy reference vs Keras on the churn net and an MNIST MLP",
    "cnn": "NumPy reference vs Keras on the MNIST CNN; time-to-accuracy of the Keras recipes",
    "distribute": "MNIST MLP on 1 and 2 replicas (tf.distribute MirroredStrategy), images/s",
    "rnn": "NumPy reference vs Keras on the rnn recipe's LSTM classifier",
    "rbm": "One RBM epoch: scikit-learn's BernoulliRBM vs the NumPy reference vs the Keras RBM",
    "gan": "One MLP GAN epoch on MNIST: Keras vs the NumPy reference",
    "finetune": "Pictures streamed from PNG files (deepkit finetune's feed) vs one array first, images/s",
    "layers": "Each hosted layer timed against Keras; 25 Keras models written by others: how many the NumPy reference hosts, how close, how fast",
}
