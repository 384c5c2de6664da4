"""The timeseries recipe on Mauna Loa CO2 (shipped in statsmodels): a short LSTM run, the
comparison table and plot, and every bad input refused before any model is fitted."""

import re

import numpy as np
import pytest
import statsmodels  # noqa: F401  (in the dev extra: a missing install fails, never skips)

from deepkit.recipes import timeseries


def test_co2_table_compares_every_method_on_the_held_out_horizon(tmp_path):
    result = timeseries.run(
        series="co2", horizon=12, window=24, units=8, epochs=3, plot=tmp_path / "f.png"
    )
    values = timeseries.load_series("co2")
    assert len(values) == 526 and result.n_train == 514
    np.testing.assert_array_equal(result.actual, values[-12:])
    assert list(result.errors) == ["naive", "seasonal naive", "ETS (Holt-Winters)", "LSTM"]
    for method, forecast in result.forecasts.items():
        mae = np.mean(np.abs(forecast - result.actual))
        assert forecast.shape == (12,) and result.errors[method][0] == pytest.approx(mae)
    # the trend and the season are real: Holt-Winters beats both naive forecasts
    assert result.errors["ETS (Holt-Winters)"][0] < result.errors["seasonal naive"][0]
    assert result.errors["seasonal naive"][0] < result.errors["naive"][0]
    assert result.epochs == 3 and "LSTM (3 epochs) is" in result.report()
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_seasonal_naive_repeats_the_last_season_and_windows_line_up():
    np.testing.assert_array_equal(timeseries.seasonal_naive(np.arange(10.0), 5, 3), [7, 8, 9, 7, 8])
    x, y = timeseries.difference_windows(np.arange(8.0), window=3, horizon=2)
    assert x.shape == (4, 3, 1) and y.shape == (4, 2)
    np.testing.assert_array_equal(x[1, :, 0], [1, 2, 3])
    np.testing.assert_array_equal(y[1], [4, 5])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": np.ones((100, 2))}, r"series must be 1-D .* got shape \(100, 2\)"),
        ({"values": np.r_[np.ones(50), np.nan, np.ones(49)]}, "NaN or infinite .* index 50"),
        ({"values": np.ones(100), "horizon": 100}, "horizon=100 is not shorter than the series"),
        ({"values": np.ones(60), "horizon": 12, "window": 36}, "too few points: 48 before"),
        ({"values": np.ones(100), "window": 0}, "window must be an int >= 1, got 0"),
        ({"series": "tides"}, "series must be one of co2, sunspots, got 'tides'"),
        ({"epochs": 0}, "epochs must be an int >= 1, got 0"),
    ],
)
def test_bad_input_is_refused_before_training(monkeypatch, kwargs, message):
    def never_fit(*args, **kwargs):
        raise AssertionError("a model was fitted before the input was checked")

    monkeypatch.setattr(timeseries, "lstm", never_fit)
    monkeypatch.setattr(timeseries, "ets", never_fit)
    with pytest.raises(ValueError, match=message):
        timeseries.run(**kwargs)


def test_timeseries_shows_the_lstms_progress_when_asked(capsys):
    values = 300 + np.sin(np.arange(60) * 2 * np.pi / 12) + 0.1 * np.arange(60)
    timeseries.run(series="co2", horizon=3, window=4, units=2, epochs=2, values=values, verbose=2)
    assert len(re.findall(r"Epoch \d+/2", capsys.readouterr().out)) == 2
