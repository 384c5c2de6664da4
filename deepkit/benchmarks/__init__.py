"""Benchmarks: ratios measured in one process, printed, never asserted on time.

Each module has ``add_arguments(parser)`` and ``main(args)`` for
``deepkit bench NAME``.
"""

BENCHMARKS = {
    "churn": "Churn net: deepkit's fast Keras training vs compile() defaults",
    "reference": "NumPy twin vs Keras on the churn net and an MNIST MLP",
    "cnn": "NumPy twin vs Keras on the MNIST CNN; time-to-accuracy of the Keras recipes",
}
