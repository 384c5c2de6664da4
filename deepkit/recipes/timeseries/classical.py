"""Classical forecasts: each ``f(train, horizon, season)`` sees only ``train``.

- naive: the last value, repeated;
- seasonal naive: the last season, repeated;
- Holt-Winters: exponential smoothing with additive trend and season, level
  l_t = a (y_t - s_{t-m}) + (1 - a)(l_{t-1} + b_{t-1}), trend b_t = c (l_t - l_{t-1}) +
  (1 - c) b_{t-1}, season s_t = g (y_t - l_t) + (1 - g) s_{t-m}; forecast
  l_T + h b_T + s_{T+h-m*ceil(h/m)}; with a damped trend the h b_T becomes
  (p + p^2 + ... + p^h) b_T (statsmodels' ExponentialSmoothing);
- airline SARIMA (0,1,1)(0,1,1)m: (1 - B)(1 - B^m) y_t = (1 + t1 B)(1 + T1 B^m) e_t
  (statsmodels' SARIMAX, Box and Jenkins' airline model);
- Theta: simple exponential smoothing of the deseasonalised series plus half the
  slope of its linear trend (statsmodels' ThetaModel);
- STL + ETS: an STL decomposition, the seasonal part repeated, the rest forecast by
  ETS with an additive trend (statsmodels' STLForecast).
"""

import numpy as np


def naive(train, horizon, season):
    return np.full(horizon, train[-1])


def seasonal_naive(train, horizon, season):
    return np.resize(train[-season:], horizon)


def holt_winters(train, horizon, season, damped=False):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(
        train, trend="add", damped_trend=damped, seasonal="add", seasonal_periods=season
    )
    return np.asarray(model.fit().forecast(horizon))


def holt_winters_damped(train, horizon, season):
    return holt_winters(train, horizon, season, damped=True)


def fit_airline(train, season):
    """The airline model fitted to ``train``: a statsmodels SARIMAX results object."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(train, order=(0, 1, 1), seasonal_order=(0, 1, 1, season))
    return model.fit(disp=False)


def theta(train, horizon, season):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    return np.asarray(ThetaModel(train, period=season).fit().forecast(horizon))


def stl_ets(train, horizon, season):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.stl import STLForecast

    model = STLForecast(train, ETSModel, model_kwargs={"trend": "add"}, period=season)
    return np.asarray(model.fit(fit_kwargs={"disp": False}).forecast(horizon))


# The airline model is fitted once per origin by the recipe: its forecast is the row
# AIRLINE_ROW and its forecasts from every past time a base of the hybrid network
# (``deepkit.recipes.timeseries.bases``).
AIRLINE_ROW = "airline SARIMA"
CLASSICAL = {
    "naive": naive,
    "seasonal naive": seasonal_naive,
    "Holt-Winters": holt_winters,
    "Holt-Winters, damped trend": holt_winters_damped,
    "Theta": theta,
    "STL + ETS": stl_ets,
}
