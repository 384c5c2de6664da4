"""Forecasting a real series: an LSTM against naive, seasonal-naive and classical forecasts.

    from deepkit.recipes import timeseries
    result = timeseries.run(series="co2")   # Mauna Loa CO2, monthly, last 24 months held out
    print(result.report())

Data (shipped inside statsmodels, ``pip install statsmodels``): ``co2``, the weekly
atmospheric CO2 at Mauna Loa, 1958-2001 (Keeling et al.; statsmodels.datasets.co2),
averaged per month with the few empty months carried forward (526 months, season 12);
``sunspots``, yearly mean sunspot numbers 1700-2008 (statsmodels.datasets.sunspots,
309 years, a cycle of about 11 years).

The last ``horizon`` points are the test; every method sees only the points before:

- naive: the last observed value, repeated;
- seasonal naive: the last observed season, repeated;
- ETS: Holt-Winters exponential smoothing, additive trend and season (statsmodels);
- LSTM: ``deepkit.models.rnn.rnn_forecaster`` reads ``window`` past first differences
  d_t = y_t - y_{t-1} (scaled by their training standard deviation) and outputs the next
  ``horizon`` differences at once; the forecast is the last value plus their running sum.
  Its epochs stop early on windows carved (seeded) from the training part.

The table reports MAE and RMSE on the held-out horizon for each method.
"""

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.checks import check_plot
from deepkit.report import format_grid
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.validation import InputError, check_int

SERIES = {"co2": 12, "sunspots": 11}  # name -> seasonal period


@dataclass
class TimeseriesResult:
    series: str
    horizon: int
    n_train: int
    errors: dict  # method -> (MAE, RMSE)
    forecasts: dict = field(repr=False)  # method -> array (horizon,)
    actual: np.ndarray = field(repr=False)
    epochs: int = 0
    plot: str = None

    def best_classical(self):
        return min((m for m in self.errors if m != "LSTM"), key=lambda m: self.errors[m][0])

    def report(self):
        rows = [[m, f"{mae:.3f}", f"{rmse:.3f}"] for m, (mae, rmse) in self.errors.items()]
        best = self.best_classical()
        better = self.errors["LSTM"][0] <= self.errors[best][0]
        verdict = "as good as or better than" if better else "worse than"
        lines = [
            format_grid(
                ["method", "MAE", "RMSE"],
                rows,
                title=f"{self.series}: forecasts of the last {self.horizon} points "
                f"({self.n_train} before them)",
            ),
            f"LSTM ({self.epochs} epochs) is {verdict} the best other method ({best}) on MAE",
        ]
        if self.plot:
            lines.append(f"plot: {self.plot}")
        return "\n".join(lines)


def load_series(name="co2"):
    """The named series as a float64 array (see the module docstring)."""
    import statsmodels.api as sm

    if name not in SERIES:
        raise InputError(f"series must be one of {', '.join(SERIES)}, got {name!r}")
    if name == "co2":
        weekly = sm.datasets.co2.load_pandas().data["co2"]
        return weekly.resample("MS").mean().ffill().to_numpy(dtype="float64")
    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype="float64")


def check_series(values, horizon, window, season):
    """``values`` as a 1-D float array, after checking it can be split and windowed."""
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise InputError(f"series must be 1-D (one value per time step), got shape {values.shape}")
    if not np.isfinite(values).all():
        raise InputError(
            f"series contains NaN or infinite values (first at index "
            f"{int(np.flatnonzero(~np.isfinite(values))[0])})"
        )
    check_int(horizon, "horizon", min_value=1)
    check_int(window, "window", min_value=1)
    if horizon >= len(values):
        raise InputError(f"horizon={horizon} is not shorter than the series ({len(values)} points)")
    n_train = len(values) - horizon
    needed = max(window + horizon + 1 + 10, 2 * season)
    if n_train < needed:
        raise InputError(
            f"too few points: {n_train} before the horizon, need at least {needed} for "
            f"window={window}, horizon={horizon} (10 training windows) and two seasons of {season}"
        )
    return values


def difference_windows(diffs, window, horizon):
    """(X, Y): every ``window`` consecutive differences, shaped (n, window, 1), and the
    ``horizon`` differences that follow them, (n, horizon)."""
    n = len(diffs) - window - horizon + 1
    starts = np.arange(n)[:, None]
    x = diffs[starts + np.arange(window)][..., None]
    y = diffs[starts + window + np.arange(horizon)]
    return x.astype("float32"), y.astype("float32")


def naive(train, horizon, season):
    return np.full(horizon, train[-1])


def seasonal_naive(train, horizon, season):
    return np.resize(train[-season:], horizon)


def ets(train, horizon, season):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(train, trend="add", seasonal="add", seasonal_periods=season)
    return np.asarray(model.fit().forecast(horizon))


def lstm(train, horizon, season, *, window, units, epochs, seed, verbose=0):
    """The LSTM forecast and the epochs it trained (see the module docstring)."""
    from deepkit import training
    from deepkit.models.rnn import rnn_forecaster
    from deepkit.seeding import set_seed

    diffs = np.diff(train)
    scale = diffs.std() or 1.0
    x, y = difference_windows(diffs / scale, window, horizon)
    (x_fit, y_fit), validation = training.carve_validation(x, y, 0.15, seed=seed)
    set_seed(seed)
    model = rnn_forecaster("lstm", units, window, 1, horizon, learning_rate=0.003, seed=seed)
    model, history = training.fit(
        model,
        x_fit,
        y_fit,
        epochs=epochs,
        batch_size=16,
        validation_data=validation,
        patience=20,
        monitor="val_loss",
        seed=seed,
        verbose=verbose,
    )
    last = (diffs[-window:] / scale).astype("float32")[None, :, None]
    steps = np.asarray(model.predict(last, verbose=0))[0] * scale
    return train[-1] + np.cumsum(steps), len(history["loss"])


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """The series, the held-out horizon and the LSTM's settings."""

    series: str = setting("co2", "the series to forecast", choices=tuple(SERIES))
    horizon: int = setting(24, "held-out points to forecast", min_value=1)
    window: int = setting(36, "past differences the LSTM reads", min_value=1)
    units: int = setting(32, "LSTM units", min_value=1)
    epochs: int = setting(200, "maximum LSTM epochs (early stopping may end sooner)", min_value=1)
    seed: int = seed_setting("seeds the LSTM's weights, split and data order")
    plot: str = setting(
        None, "save the forecasts to this PNG", kind=str, metavar="FILE", record=False
    )

    def check(self):
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot))


def run(settings=None, /, *, values=None, verbose=0, **overrides):
    """Forecast the last ``horizon`` points of the series with every method.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        values: a 1-D array to forecast instead of the named series (``series`` then names
            its seasonal period's entry).
        verbose: Keras's progress setting for the LSTM's training.
        **overrides: settings to change, by name (``run(horizon=12)``).

    Returns:
        A ``TimeseriesResult``.

    Raises:
        InputError: a bad setting or series, before any training.
    """
    s = Settings.resolve(settings, overrides)
    series, horizon, window, units, epochs, seed = (
        s.series,
        s.horizon,
        s.window,
        s.units,
        s.epochs,
        s.seed,
    )
    plot = s.plot
    season = SERIES[series]
    values = check_series(
        load_series(series) if values is None else values, horizon, window, season
    )
    train, actual = values[:-horizon], values[-horizon:]
    forecasts = {
        "naive": naive(train, horizon, season),
        "seasonal naive": seasonal_naive(train, horizon, season),
        "ETS (Holt-Winters)": ets(train, horizon, season),
    }
    forecasts["LSTM"], epochs_run = lstm(
        train,
        horizon,
        season,
        window=window,
        units=units,
        epochs=epochs,
        seed=seed,
        verbose=verbose,
    )
    errors = {
        method: (
            float(np.mean(np.abs(f - actual))),
            float(np.sqrt(np.mean((f - actual) ** 2))),
        )
        for method, f in forecasts.items()
    }
    if plot is not None:
        plot = plot_forecasts(train, actual, forecasts, plot, title=series)
    return TimeseriesResult(
        series, horizon, len(train), errors, forecasts, actual, epochs_run, plot
    )


def plot_forecasts(train, actual, forecasts, path, title, context=72):
    """Save the last ``context`` training points, the actual horizon and each forecast."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = len(train) - min(context, len(train))
    future = np.arange(len(train), len(train) + len(actual))
    figure, ax = plt.subplots(figsize=(9, 4))
    ax.plot(np.arange(start, len(train)), train[start:], color="black", label="past")
    ax.plot(future, actual, color="black", linestyle="--", label="actual")
    for method, forecast in forecasts.items():
        ax.plot(future, forecast, label=method)
    ax.set_title(f"{title}: forecasts of the last {len(actual)} points")
    ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
