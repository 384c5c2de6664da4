"""The recipe's result: every row's validation and test errors, the search, the report and
the plot."""

from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.timeseries.classical import AIRLINE_ROW, CLASSICAL
from deepkit.report import format_grid

LSTM_ROW = "LSTM (first differences)"
CLASSICAL_ROWS = (*CLASSICAL, AIRLINE_ROW)


def errors_per_origin(forecasts, actual):
    """``(MAE, RMSE)`` of each origin's forecast, arrays of shape (origins,)."""
    error = np.asarray(forecasts) - actual
    return np.abs(error).mean(axis=1), np.sqrt((error**2).mean(axis=1))


def _each(values):
    return " ".join(f"{value:.3f}" for value in values)


@dataclass
class TimeseriesResult:
    series: str
    horizon: int
    n: int  # points in the series
    validation_origins: list
    test_origins: list
    search: dict  # hybrid configuration -> validation MAE per origin (the first seed)
    chosen: str  # the configuration with the least mean validation MAE
    validation: dict  # row -> validation MAE per origin
    per_origin: dict  # row -> test MAE per origin
    errors: dict  # row -> (test MAE, test RMSE), each the mean over the test origins
    forecasts: dict = field(repr=False)  # row -> test forecasts, (origins, horizon)
    actual: np.ndarray = field(repr=False)  # the test points, (origins, horizon)
    epochs: list = field(default_factory=list)  # the LSTM's epochs per test origin
    seconds: dict = field(default_factory=dict)  # "validation", "test" -> wall seconds
    plot: str = None

    def best_classical(self):
        """The classical row with the least mean test MAE."""
        return min(CLASSICAL_ROWS, key=lambda name: self.errors[name][0])

    def networks(self):
        return [name for name in self.errors if name not in CLASSICAL_ROWS]

    def mean_validation(self, name, search=False):
        """The mean validation MAE of row ``name`` (of the search's configuration ``name``)."""
        return float(np.mean((self.search if search else self.validation)[name]))

    def report(self):
        rows = [
            [name, f"{self.mean_validation(name):.3f}", f"{mae:.3f}", f"{rmse:.3f}",
             _each(self.per_origin[name])]
            for name, (mae, rmse) in self.errors.items()
        ]  # fmt: skip
        search = [
            [config + ("  <- chosen" if config == self.chosen else ""),
             f"{self.mean_validation(config, search=True):.3f}", _each(maes)]
            for config, maes in self.search.items()
        ]  # fmt: skip
        best = self.best_classical()
        lines = [
            format_grid(
                ["method", "validation MAE", "test MAE", "test RMSE", "test MAE per origin"],
                rows,
                title=f"{self.series}: {self.horizon} points forecast from each of "
                f"{len(self.test_origins)} test origins {self.test_origins} ({self.n} points); "
                f"every choice made on validation origins {self.validation_origins}",
            ),
            "",
            format_grid(
                ["hybrid configuration", "validation MAE", "per origin"],
                search,
                title="The hybrid's search, on the validation origins only (first seed)",
            ),
            "",
            f"best classical row on the test origins: {best} (MAE {self.errors[best][0]:.3f})",
        ]
        for name in self.networks():
            better = self.errors[name][0] <= self.errors[best][0]
            verdict = "as good as or better than" if better else "worse than"
            lines.append(f"{name} (MAE {self.errors[name][0]:.3f}) is {verdict} {best}")
        lines.append(
            f"LSTM epochs per test origin: {self.epochs}; seconds: validation "
            f"{self.seconds['validation']:.0f}, test {self.seconds['test']:.0f}"
        )
        if self.plot:
            lines.append(f"plot: {self.plot}")
        return "\n".join(lines)

    def draw(self, values, path, context=72):
        """Save the ``context`` points before the first test origin, the test points and
        every row's forecasts from each test origin; returns the path."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        first = self.test_origins[0]
        start = max(first - context, 0)
        figure, ax = plt.subplots(figsize=(10, 4.5))
        ax.plot(np.arange(start, len(values)), values[start:], color="black", lw=1, label="actual")
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, (name, forecasts) in enumerate(self.forecasts.items()):
            for k, (origin, forecast) in enumerate(zip(self.test_origins, forecasts)):
                steps = np.arange(origin, origin + self.horizon)
                ax.plot(steps, forecast, color=colors[i % len(colors)], lw=1,
                        label=name if k == 0 else None)  # fmt: skip
        for origin in self.test_origins:
            ax.axvline(origin, color="grey", lw=0.5, ls=":")
        ax.set_title(f"{self.series}: forecasts of {self.horizon} points from each test origin")
        ax.legend(fontsize=7, ncol=2)
        figure.tight_layout()
        figure.savefig(path, dpi=100)
        plt.close(figure)
        return str(path)
