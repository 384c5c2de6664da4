"""``DbnResult.report()``: every figure the recipe measured, in small tables."""

from deepkit.recipes.dbn import DbnResult


def _result(**changes):
    values = dict(
        sizes=(784, 64, 32, 10),
        n_train=1200,
        n_test=200,
        errors={"pretrained": 0.0525, "random init": 0.1},
        low_label_errors={"pretrained": 0.2, "random init": 0.35},
        learning_rates={
            "all labels": {"pretrained": 0.1, "random init": 0.01},
            "200 labels": {"pretrained": 0.1, "random init": 0.1},
        },
        labels=200,
        log_likelihood=-137.104,
        log_likelihood_stderr=0.26,
        log_z=364.891,
        digits={"scikit-learn BernoulliRBM + LR": 0.9338, "LR on raw pixels": 0.7819},
        seconds=12.3,
        histories={},
        models={},
        plots=["out/rbm_filters.png", "out/rbm_samples.png"],
    )
    return DbnResult(**{**values, **changes})


def test_the_report_shows_every_error_rate_likelihood_and_digits_accuracy():
    report = _result().report()
    for line in (
        "Deep belief net on MNIST (Goal: <= 1.2% test error)",
        "784-64-32-10, sigmoid, softmax head",
        "1200 / 200",
        "5.25% (lr 0.1)",
        "10.00% (lr 0.01)",
        "test error, 200 labels, random init",
        "35.00% (lr 0.1)",
        "-137.10 nats (log Z 364.89 +- 0.26)",
        "plot",
        "out/rbm_samples.png",
        "scikit-learn digits, nudged x5, 20% test (random_state=0)",
        "0.7819",
    ):
        assert line in report, line
    assert report.index("test error, all labels") < report.index("test error, 200 labels")


def test_the_report_leaves_out_what_was_not_measured():
    report = _result(log_likelihood=None, log_z=None, digits={}, plots=[]).report()
    assert "AIS" not in report and "digits" not in report and "plot" not in report
    assert "test error, all labels, pretrained" in report
