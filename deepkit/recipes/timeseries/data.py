"""The series, their checks, and the rolling origins every method forecasts from.

An origin ``o`` splits a series ``y`` into the past ``y[:o]``, all a method sees, and the
``horizon`` points ``y[o : o + horizon]`` it forecasts. The origins step by ``horizon``, so
their windows do not overlap: the test origins are the last ``test`` of them, ending at
the series' end; the validation origins are the ``validation`` just before, so the last
validation window ends where the first test window begins.
"""

import numpy as np

from deepkit.validation import InputError, check_int

SERIES = {"co2": 12, "sunspots": 11}  # name -> seasonal period


def load_series(name="co2"):
    """The named series as a float64 array.

    ``co2``: the weekly atmospheric CO2 at Mauna Loa, 1958-2001 (Keeling et al.;
    statsmodels.datasets.co2), averaged per month with the few empty months carried
    forward (526 months, season 12). ``sunspots``: yearly mean sunspot numbers 1700-2008
    (statsmodels.datasets.sunspots, 309 years, a cycle of about 11 years).
    """
    import statsmodels.api as sm

    if name not in SERIES:
        raise InputError(f"series must be one of {', '.join(SERIES)}, got {name!r}")
    if name == "co2":
        weekly = sm.datasets.co2.load_pandas().data["co2"]
        return weekly.resample("MS").mean().ffill().to_numpy(dtype="float64")
    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype="float64")


def rolling_origins(n, horizon, test, validation):
    """``(validation_origins, test_origins)``: the starts ``n - horizon * k`` for
    ``k = test + validation, ..., 1``, the first ``validation`` of them validating."""
    starts = n - horizon * np.arange(test + validation, 0, -1)
    return starts[:validation].tolist(), starts[validation:].tolist()


def held_out(values, origins, horizon):
    """The points each origin forecasts, ``values[o : o + horizon]``, shaped (origins, horizon).

    The recipe reads the test origins' points through this function once, after every
    choice is made (``deepkit.recipes.timeseries.recipe.run``).
    """
    return np.stack([values[origin : origin + horizon] for origin in origins])


def check_series(values, horizon, origins, needed):
    """``values`` as a 1-D float array, after checking it holds ``origins`` windows of
    ``horizon`` points and at least ``needed`` points before the first of them.

    Args:
        values: the series.
        horizon: the points each origin forecasts.
        origins: the number of origins (validation and test).
        needed: ``(points, reason)``: the fewest points the first origin's past may hold,
            and what needs them.

    Returns:
        The series as float64.

    Raises:
        InputError: not 1-D, not finite, or too short.
    """
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise InputError(f"series must be 1-D (one value per time step), got shape {values.shape}")
    if not np.isfinite(values).all():
        raise InputError(
            f"series contains NaN or infinite values (first at index "
            f"{int(np.flatnonzero(~np.isfinite(values))[0])})"
        )
    check_int(horizon, "horizon", min_value=1)
    forecast = horizon * origins
    if forecast >= len(values):
        raise InputError(
            f"{origins} origins of horizon={horizon} forecast {forecast} points, not fewer "
            f"than the series' {len(values)}"
        )
    points, reason = needed
    if len(values) - forecast < points:
        raise InputError(
            f"too few points: {len(values) - forecast} before the first origin, need at least "
            f"{points} for {reason}"
        )
    return values
