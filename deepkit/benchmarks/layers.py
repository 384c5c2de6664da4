"""``deepkit bench layers``: the NumPy reference layer by layer, then on Keras models
written by other people.

First each hosted layer alone at a realistic size (``layer_timing``: forward and
backward against Keras's), then what BatchNormalization and Add add to a CNN's
training step (``layer_overhead``); then the corpus below.

The models are the corpus's (``deepkit.benchmarks.corpus``: 25 models from keras-io,
the TensorFlow tutorials and Keras's docstrings, at its reduced sizes). The benchmark
prints how many of them ``from_keras`` hosts and, for each hosted one:

- its deviation from Keras in float64 on one batch of 4, as the corpus test measures
  it (max |reference - keras| / max |keras|, the largest over the arrays) for the
  outputs, the gradients and the weights after one optimizer step;
- the time of one training step (``train_on_batch``, float32, batch ``--batch``) of the
  Keras model and of its NumPy counterpart, same weights, one after the other in this
  process: each takes one warm-up step (Keras traces its step there), then the
  median of ``--repeats`` steps. The ratio is Keras's time over the reference's
  (above 1: the reference is faster).

Refused models are listed with the problems ``from_keras`` names. At the corpus's
sizes a step is mostly each engine's fixed cost per call, not its arithmetic. Times
are wall-clock on a possibly shared machine; the load average at the start is printed.
"""

import os
from dataclasses import dataclass

from deepkit.benchmarks.timing import step_seconds
from deepkit.report import format_grid
from deepkit.validation import InputError, check_int

DEVIATIONS = ("forward", "gradients", "step")


@dataclass
class HostedModel:
    """One hosted model: its deviations from Keras and the seconds of one training step."""

    name: str
    deviations: dict
    keras_seconds: float
    reference_seconds: float

    @property
    def ratio(self):
        """Keras's step time over the reference's (above 1: the reference is faster)."""
        return self.keras_seconds / self.reference_seconds


@dataclass
class LayersBenchmark:
    """The corpus through the NumPy reference: ``hosted`` (``HostedModel``s) and
    ``refused`` (``corpus.Outcome``s), in the corpus's order."""

    hosted: list
    refused: list
    batch: int
    repeats: int
    load: float  # the 1-minute load average when the benchmark started

    @property
    def total(self):
        return len(self.hosted) + len(self.refused)

    def report(self):
        rows = [
            [
                model.name,
                *(f"{model.deviations[q]:.1e}" for q in DEVIATIONS),
                f"{1e3 * model.keras_seconds:.2f}",
                f"{1e3 * model.reference_seconds:.2f}",
                f"{model.ratio:.2f}x",
            ]
            for model in self.hosted
        ]
        grid = format_grid(
            ["model", *DEVIATIONS, "Keras ms", "NumPy ms", "Keras/NumPy time"],
            rows,
            title=(
                f"deviation from Keras in float64; one training step in float32, batch "
                f"{self.batch}, median of {self.repeats}"
            ),
        )
        refused = [f"  {outcome.name}: " + "; ".join(outcome.problems) for outcome in self.refused]
        return "\n".join(
            [
                f"The NumPy reference hosts {len(self.hosted)} of {self.total} Keras models "
                "written by others (deepkit.benchmarks.corpus)",
                "",
                grid,
                "",
                f"Refused ({len(self.refused)}):",
                *refused,
                "",
                f"load average (1 min) at the start: {self.load:.2f} on {os.cpu_count()} cores",
            ]
        )


def time_step(entry, batch_size, repeats, seed):
    """(Keras's, the reference's) seconds of one float32 training step of ``entry``."""
    from deepkit.benchmarks.corpus.check import batch, build, host

    keras_model = build(entry, "float32", seed)
    counterpart, _ = host(keras_model, seed)
    x, y = batch(entry, keras_model, counterpart, batch_size, seed)
    return (
        step_seconds(keras_model, x, y, repeats),
        step_seconds(counterpart, x, y, repeats),
    )


def benchmark(names=None, batch_size=32, repeats=5, seed=0):
    """The corpus (or its models ``names``) through the NumPy reference; a
    ``LayersBenchmark``."""
    from deepkit.benchmarks.corpus import CORPUS, check

    check_int(batch_size, "batch_size", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    unknown = sorted(set(names or ()) - set(CORPUS))
    if unknown:
        raise InputError(f"no corpus model {', '.join(unknown)}; choose from {', '.join(CORPUS)}")
    load, hosted, refused = os.getloadavg()[0], [], []
    for name in names or CORPUS:
        outcome = check(CORPUS[name], seed=seed)
        if not outcome.hosted:
            refused.append(outcome)
            continue
        seconds = time_step(CORPUS[name], batch_size, repeats, seed)
        hosted.append(HostedModel(name, outcome.deviations, *seconds))
    return LayersBenchmark(hosted, refused, batch_size, repeats, load)


def add_arguments(parser):
    parser.add_argument("--batch", type=int, default=32, help="batch size of the timed steps")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per model")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="a corpus model (repeatable; default all)"
    )
    parser.add_argument(
        "--layer", action="append", metavar="NAME", help="a layer to time (repeatable; default all)"
    )
    parser.add_argument(
        "--part", choices=("all", "layers", "corpus"), default="all", help="which tables to print"
    )
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    from deepkit.benchmarks import layer_overhead, layer_timing

    if args.part != "corpus":
        print(layer_timing.benchmark(args.layer, args.batch, args.repeats, args.seed).report())
        print()
        print(layer_overhead.benchmark(seed=args.seed).report())
    if args.part == "all":
        print()
    if args.part != "layers":
        print(benchmark(args.only, args.batch, args.repeats, args.seed).report())
    return 0
