"""Forecasting a real series from rolling origins: networks against classical forecasts.

    from deepkit.recipes import timeseries
    result = timeseries.run(series="co2")   # Mauna Loa CO2, monthly
    print(result.report())

Origins (``data``): 24 points are forecast from each origin, seeing only the points
before it. The test origins are the last 5 non-overlapping windows (the last 120 months
of CO2, 1992-2001); the 3 validation origins are the windows just before them
(1986-1991). Every method is refit at every origin.

Rows: the classical forecasts (``classical``: naive, seasonal naive, Holt-Winters with and
without a damped trend, airline SARIMA, Theta, STL + ETS), the LSTM on first differences,
and the hybrid network that corrects a classical base (``networks``, ``bases``), with one
seed and as the mean of several seeds' forecasts. Networks output all 24 steps at once,
trained by Keras or, with ``engine="numpy"``, by the NumPy reference of the same network.

Protocol (``recipe.run``): every choice is made on the validation origins
(``recipe.choose_on_validation``): the hybrid's configuration (base, epochs, dropout:
``Settings.grid``) is the one with the least mean validation MAE, with the first seed.
Then the final rows alone are fitted at the test origins and the test points are read
once, after the choice (``recipe.score_on_test``, through ``data.held_out``). The
table reports each row's mean validation MAE, its mean test MAE and RMSE over the test
origins and its test MAE per origin; the search's every configuration with its
validation MAE.

Data (shipped inside statsmodels, ``pip install statsmodels``): ``co2``, ``sunspots``
(``data.load_series``).
"""

from deepkit.recipes.timeseries.bases import BASES, airline_paths, seasonal_difference_paths
from deepkit.recipes.timeseries.classical import CLASSICAL, fit_airline, seasonal_naive
from deepkit.recipes.timeseries.data import SERIES, held_out, load_series, rolling_origins
from deepkit.recipes.timeseries.networks import difference_windows, hybrid, lstm
from deepkit.recipes.timeseries.recipe import HybridConfig, Settings, run
from deepkit.recipes.timeseries.result import LSTM_ROW, TimeseriesResult

__all__ = [
    "BASES",
    "CLASSICAL",
    "LSTM_ROW",
    "SERIES",
    "HybridConfig",
    "Settings",
    "TimeseriesResult",
    "airline_paths",
    "difference_windows",
    "fit_airline",
    "held_out",
    "hybrid",
    "load_series",
    "lstm",
    "rolling_origins",
    "run",
    "seasonal_difference_paths",
    "seasonal_naive",
]
