"""The recipe's settings and its protocol: every choice on validation origins, then the
test origins scored once (see the package docstring)."""

import dataclasses
import itertools
import time
from functools import cached_property

import numpy as np

from deepkit.recipes.checks import check_plot
from deepkit.recipes.timeseries import classical, networks
from deepkit.recipes.timeseries.bases import BASES, base_paths
from deepkit.recipes.timeseries.data import (
    SERIES,
    check_series,
    held_out,
    load_series,
    rolling_origins,
)
from deepkit.recipes.timeseries.result import LSTM_ROW, TimeseriesResult, errors_per_origin
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.training import engine_setting


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """The series, the origins, the LSTM's settings and the hybrid's search space."""

    series: str = setting("co2", "the series to forecast", choices=tuple(SERIES))
    horizon: int = setting(24, "points forecast from each origin", min_value=1)
    origins: int = setting(5, "test origins: the last windows of horizon points", min_value=1)
    validation_origins: int = setting(
        3, "validation origins: the windows just before the test origins", min_value=1
    )
    window: int = setting(36, "past differences the LSTM reads", min_value=1)
    units: int = setting(32, "LSTM units", min_value=1)
    epochs: int = setting(200, "maximum LSTM epochs (early stopping may end sooner)", min_value=1)
    hybrid_window: int = setting(60, "past seasonal differences the hybrid reads", min_value=1)
    hybrid_units: int = setting(64, "the hybrid's hidden units", min_value=1)
    bases: tuple = setting(
        BASES,
        "classical bases the hybrid corrects (searched)",
        kind=str,
        choices=BASES,
        sequence=True,
    )
    hybrid_epochs: tuple = setting(
        (30, 100),
        "the hybrid's training epochs (searched)",
        kind=int,
        min_value=1,
        sequence=True,
    )
    dropouts: tuple = setting(
        (0.0, 0.3),
        "the hybrid's dropout rates (searched)",
        kind=float,
        min_value=0.0,
        max_value=1.0,
        include_max=False,
        sequence=True,
    )
    ensemble: int = setting(
        5, "seeds whose hybrid forecasts the ensemble row averages", min_value=1
    )
    seed: int = seed_setting("seeds the networks' weights, split and data order")
    engine: str = engine_setting()
    plot: str = setting(
        None, "save the test forecasts to this PNG", kind=str, metavar="FILE", record=False
    )

    def check(self):
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot))

    def grid(self):
        """The hybrid configurations the validation origins choose among."""
        return [
            HybridConfig(*values)
            for values in itertools.product(self.bases, self.hybrid_epochs, self.dropouts)
        ]

    def needed(self, season):
        """The fewest points an origin's past may hold, and why."""
        lstm = self.window + self.horizon + 11
        hybrid = self.hybrid_window + self.horizon + 2 * season + 9
        return max(lstm, hybrid), (
            f"window={self.window}, hybrid_window={self.hybrid_window}, "
            f"horizon={self.horizon}, season={season} (10 training windows per network)"
        )


@dataclasses.dataclass(frozen=True)
class HybridConfig:
    base: str
    epochs: int
    dropout: float

    def __str__(self):
        return f"{self.base} base, {self.epochs} epochs, dropout {self.dropout:g}"


class Past:
    """What the methods see at one origin: the points before it (a copy), and the airline
    fit its row and its base share."""

    def __init__(self, train, horizon, season):
        self.train, self.horizon, self.season = np.array(train), horizon, season

    @cached_property
    def airline(self):
        return classical.fit_airline(self.train, self.season)

    @cached_property
    def paths(self):
        return base_paths(self.train, self.horizon, self.season, self.airline)

    def classical(self):
        rows = {
            name: f(self.train, self.horizon, self.season)
            for name, f in classical.CLASSICAL.items()
        }
        rows[classical.AIRLINE_ROW] = np.asarray(self.airline.forecast(self.horizon))
        return rows

    def lstm(self, s):
        return networks.lstm(
            self.train, self.horizon, window=s.window, units=s.units, epochs=s.epochs,
            seed=s.seed, engine=s.engine,
        )  # fmt: skip

    def hybrid(self, config, seed, s):
        return networks.hybrid(
            self.train, self.paths[config.base], self.horizon, self.season,
            window=s.hybrid_window, units=s.hybrid_units, epochs=config.epochs,
            dropout=config.dropout, seed=seed, engine=s.engine,
        )  # fmt: skip


def forecast(pasts, s, configs, seeds, say):
    """Every row's forecasts at each origin, from its past alone.

    Returns:
        ``(rows, hybrids, lstm_epochs)``: ``{row: (origins, horizon)}`` for the classical
        rows and the LSTM, ``{(config, seed): (origins, horizon)}``, the LSTM's epochs.
    """
    rows, hybrids, epochs = {}, {}, []
    for i, past in enumerate(pasts):
        start = time.perf_counter()
        origin_rows = past.classical()
        origin_rows[LSTM_ROW], lstm_epochs = past.lstm(s)
        epochs.append(lstm_epochs)
        for key in itertools.product(configs, seeds):
            hybrids.setdefault(key, []).append(past.hybrid(*key, s))
        for name, values in origin_rows.items():
            rows.setdefault(name, []).append(values)
        say(f"origin {len(past.train)} ({i + 1}/{len(pasts)}): {len(configs) * len(seeds)} "
            f"hybrid fits, {time.perf_counter() - start:.0f} s")  # fmt: skip
    return _stacked(rows), _stacked(hybrids), epochs


def _stacked(forecasts):
    return {key: np.stack(per_origin) for key, per_origin in forecasts.items()}


def run(settings=None, /, *, values=None, verbose=0, **overrides):
    """Forecast from rolling origins with every method; choose the hybrid on validation.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        values: a 1-D array to forecast instead of the named series (``series`` then names
            its seasonal period's entry).
        verbose: 1 or 2 prints a line per origin.
        **overrides: settings to change, by name (``run(horizon=12)``).

    Returns:
        A ``TimeseriesResult``.

    Raises:
        InputError: a bad setting or series, before any fit.
    """
    s = Settings.resolve(settings, overrides)
    season = SERIES[s.series]
    values = check_series(
        load_series(s.series) if values is None else values,
        s.horizon,
        s.origins + s.validation_origins,
        s.needed(season),
    )
    say = print if verbose else lambda line: None
    seeds = [s.seed + i for i in range(s.ensemble)]
    validation_origins, test_origins = rolling_origins(
        len(values), s.horizon, s.origins, s.validation_origins
    )

    with networks.without_retracing_notes():
        chosen, search, validation, validation_seconds = choose_on_validation(
            values, validation_origins, season, seeds, s, say
        )
        forecasts, actual, test, lstm_epochs, test_seconds = score_on_test(
            values, test_origins, season, seeds, chosen, s, say
        )
    result = TimeseriesResult(
        series=s.series, horizon=s.horizon, n=len(values),
        validation_origins=validation_origins, test_origins=test_origins,
        search={str(config): mae.tolist() for config, mae in search.items()},
        chosen=str(chosen), validation={name: mae.tolist() for name, mae in validation.items()},
        per_origin={name: mae.tolist() for name, (mae, _) in test.items()},
        errors={name: (float(mae.mean()), float(rmse.mean())) for name, (mae, rmse) in test.items()},
        forecasts=forecasts, actual=actual, epochs=lstm_epochs,
        seconds={"validation": validation_seconds, "test": test_seconds},
    )  # fmt: skip
    if s.plot is not None:
        result.plot = result.draw(values, s.plot)
    return result


def choose_on_validation(values, origins, season, seeds, s, say):
    """Step 1: every row and every hybrid configuration (the first seed) forecast from each
    validation origin's past alone; the configuration with the least mean MAE is chosen,
    and its other seeds forecast too (the ensemble row's validation figure).

    Returns:
        ``(chosen, search, validation, seconds)``: the configuration, ``{configuration: MAE
        per origin}``, ``{row: MAE per origin}``, the wall seconds.
    """
    start = time.perf_counter()
    pasts = [Past(values[:origin], s.horizon, season) for origin in origins]
    grid = s.grid()
    rows, hybrids, _ = forecast(pasts, s, grid, seeds[:1], say)
    actual = held_out(values, origins, s.horizon)
    search = {config: errors_per_origin(hybrids[config, seeds[0]], actual)[0] for config in grid}
    chosen = min(grid, key=lambda config: search[config].mean())
    for seed in seeds[1:]:
        hybrids[chosen, seed] = np.stack([past.hybrid(chosen, seed, s) for past in pasts])
    validation = {
        name: errors_per_origin(f, actual)[0]
        for name, f in final_rows(rows, hybrids, chosen, seeds).items()
    }
    return chosen, search, validation, time.perf_counter() - start


def score_on_test(values, origins, season, seeds, chosen, s, say):
    """Step 2: the final rows only (the chosen configuration) forecast from each test
    origin's past alone; then the test points are read, once.

    Returns:
        ``(forecasts, actual, errors, lstm_epochs, seconds)``: ``{row: (origins, horizon)}``,
        the test points, ``{row: (MAE, RMSE) per origin}``, the LSTM's epochs per origin,
        the wall seconds.
    """
    start = time.perf_counter()
    pasts = [Past(values[:origin], s.horizon, season) for origin in origins]
    rows, hybrids, lstm_epochs = forecast(pasts, s, [chosen], seeds, say)
    forecasts = final_rows(rows, hybrids, chosen, seeds)
    actual = held_out(values, origins, s.horizon)
    errors = {name: errors_per_origin(f, actual) for name, f in forecasts.items()}
    return forecasts, actual, errors, lstm_epochs, time.perf_counter() - start


def final_rows(rows, hybrids, chosen, seeds):
    """The table's rows: the classical ones, the LSTM, the chosen hybrid with the first
    seed, and (for more than one seed) the mean of its forecasts over ``seeds``."""
    rows = {**rows, f"hybrid (seed {seeds[0]})": hybrids[chosen, seeds[0]]}
    if len(seeds) > 1:
        ensemble = np.mean([hybrids[chosen, seed] for seed in seeds], axis=0)
        rows[f"hybrid, mean of {len(seeds)} seeds"] = ensemble
    return rows
