"""The timeseries recipe on Mauna Loa CO2 (shipped in statsmodels): a short run scoring every
row on rolling origins, the validation-only protocol (test points read once, after the
choice), the classical bases the hybrid corrects, and every bad input refused before any
model is fitted."""

import numpy as np
import pytest
import statsmodels  # noqa: F401  (in the dev extra: a missing install fails, never skips)

from deepkit.recipes import timeseries
from deepkit.recipes.timeseries import classical, networks, recipe

SMALL = dict(horizon=12, window=12, units=4, epochs=2, hybrid_window=24, hybrid_units=8,
             hybrid_epochs=(2,), dropouts=(0.0,), ensemble=2)  # fmt: skip


def test_co2_table_scores_every_row_on_rolling_origins(tmp_path):
    result = timeseries.run(
        series="co2", origins=1, validation_origins=1, plot=tmp_path / "f.png", **SMALL
    )
    values = timeseries.load_series("co2")
    assert len(values) == 526
    assert result.validation_origins == [502] and result.test_origins == [514]
    np.testing.assert_array_equal(result.actual, values[None, 514:])
    assert list(result.errors) == [
        "naive", "seasonal naive", "Holt-Winters", "Holt-Winters, damped trend", "Theta",
        "STL + ETS", "airline SARIMA", "LSTM (first differences)", "hybrid (seed 0)",
        "hybrid, mean of 2 seeds",
    ]  # fmt: skip
    for name, forecasts in result.forecasts.items():
        mae = np.abs(forecasts - result.actual).mean()
        assert forecasts.shape == (1, 12) and result.errors[name][0] == pytest.approx(mae)
        assert result.per_origin[name] == [pytest.approx(mae)]
        assert len(result.validation[name]) == 1
    # the trend and the season are real: Holt-Winters beats both naive forecasts
    assert result.errors["Holt-Winters"][0] < result.errors["seasonal naive"][0]
    assert result.errors["seasonal naive"][0] < result.errors["naive"][0]
    assert list(result.search) == [
        "seasonal-difference base, 2 epochs, dropout 0",
        "airline base, 2 epochs, dropout 0",
    ]
    assert result.chosen == min(result.search, key=lambda config: result.search[config][0])
    assert result.validation["hybrid (seed 0)"] == result.search[result.chosen]
    assert result.epochs == [2] and "hybrid, mean of 2 seeds (MAE" in result.report()
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


@pytest.fixture
def fakes(monkeypatch):
    """Every fit replaced by a fake that logs what it saw; the series is all ones and the
    hybrid trained for 20 epochs forecasts it best."""
    log = []

    def seen(kind, train, detail=None):
        assert np.all(train == 1.0)  # only past points, copied from the series
        log.append((kind, len(train), detail))

    class Airline:
        def __init__(self, train):
            seen("airline", train)

        def forecast(self, horizon):
            return np.full(horizon, 1.1)

    def lstm(train, horizon, **_):
        seen("lstm", train)
        return np.full(horizon, 1.2), 3

    def hybrid(train, paths, horizon, season, *, epochs, dropout, **_):
        seen("hybrid", train, epochs)
        return np.full(horizon, 1 + abs(epochs - 20) / 100)

    def held_out(values, origins, horizon):
        log.append(("read", tuple(origins), None))
        return np.stack([values[o : o + horizon] for o in origins])

    monkeypatch.setattr(classical, "CLASSICAL", {"naive": classical.naive})
    monkeypatch.setattr(classical, "fit_airline", lambda train, season: Airline(train))
    monkeypatch.setattr(
        recipe, "base_paths", lambda *args: {base: None for base in timeseries.BASES}
    )
    monkeypatch.setattr(networks, "lstm", lstm)
    monkeypatch.setattr(networks, "hybrid", hybrid)
    monkeypatch.setattr(recipe, "held_out", held_out)
    return log


def test_test_points_are_read_once_after_the_choice(fakes):
    settings = dict(SMALL, hybrid_epochs=(5, 20, 50), ensemble=3, origins=2, validation_origins=2)
    result = timeseries.run(values=np.ones(200), **settings)
    assert result.validation_origins == [152, 164] and result.test_origins == [176, 188]
    reads = [i for i, (kind, *_) in enumerate(fakes) if kind == "read"]
    assert [fakes[i][1] for i in reads] == [(152, 164), (176, 188)]
    before, between = fakes[: reads[0]], fakes[reads[0] + 1 : reads[1]]
    # every configuration is tried on the validation origins only, seeing their past alone
    assert {(n, e) for kind, n, e in before if kind == "hybrid"} == {
        (n, e) for n in (152, 164) for e in (5, 20, 50)
    }
    assert {n for _, n, _ in before} == {152, 164}
    # after the validation read: the chosen configuration's other seeds there, then the
    # final rows at the test origins; the test points are read last, once
    assert result.chosen == "seasonal-difference base, 20 epochs, dropout 0"
    assert [e for kind, _, e in between if kind == "hybrid"] == [20] * (2 * 2 + 2 * 3)
    assert [n for _, n, _ in between] == [152, 164] * 2 + [176] * 5 + [188] * 5
    assert reads[1] == len(fakes) - 1
    assert result.errors["hybrid (seed 0)"][0] == pytest.approx(0.0)
    assert result.errors["LSTM (first differences)"][0] == pytest.approx(0.2)


def test_each_origin_reports_a_line_when_asked(fakes, capsys):
    timeseries.run(values=np.ones(200), origins=2, validation_origins=1, verbose=1, **SMALL)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "origin 164 (1/1)", "origin 176 (1/2)", "origin 188 (2/2)"
    ]  # fmt: skip


def test_bases_forecast_from_every_past_time():
    values = timeseries.load_series("co2")[:334]
    fitted = timeseries.fit_airline(values, 12)
    paths = timeseries.airline_paths(fitted, values, 24, 12)
    assert paths.shape == (334, 24) and np.isnan(paths[:13]).all()
    np.testing.assert_allclose(paths[-1], fitted.forecast(24), atol=1e-4)
    # seasonal difference: the last season, moved up by k seasons of its mean growth
    paths = timeseries.seasonal_difference_paths(values, 24, 12)
    assert np.isnan(paths[:23]).all() and not np.isnan(paths[23:]).any()
    t, growth = 150, np.mean(values[139:151] - values[127:139])
    k = np.repeat([1, 2], 12)
    np.testing.assert_allclose(paths[t], values[np.tile(np.arange(139, 151), 2)] + k * growth)


def test_the_hybrid_starts_from_its_base_and_windows_line_up():
    model = networks.hybrid_model(window=6, units=4, horizon=3, dropout=0.0, seed=0)
    inputs = np.random.default_rng(0).normal(size=(5, 6)).astype("float32")
    np.testing.assert_array_equal(model.predict(inputs, verbose=0), 0.0)
    values = np.arange(40.0) ** 2
    x = networks.growth_inputs(values, [30, 39], window=4, season=3, scale=2.0)
    growth = values[27:31] - values[24:28]
    np.testing.assert_allclose(x[0], (growth - growth[-3:].mean()) / 2.0)
    np.testing.assert_array_equal(timeseries.seasonal_naive(np.arange(10.0), 5, 3), [7, 8, 9, 7, 8])
    x, y = timeseries.difference_windows(np.arange(8.0), window=3, horizon=2)
    assert x.shape == (4, 3, 1) and y.shape == (4, 2)
    np.testing.assert_array_equal(x[1, :, 0], [1, 2, 3])
    np.testing.assert_array_equal(y[1], [4, 5])
    assert timeseries.rolling_origins(100, 10, test=2, validation=3) == ([50, 60, 70], [80, 90])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": np.ones((100, 2))}, r"series must be 1-D .* got shape \(100, 2\)"),
        ({"values": np.r_[np.ones(50), np.nan, np.ones(49)]}, "NaN or infinite .* index 50"),
        ({"values": np.ones(100), "horizon": 20}, "8 origins of horizon=20 forecast 160 points"),
        (
            {"values": np.ones(300)},
            "too few points: 108 before the first origin, need at least 117",
        ),
        ({"values": np.ones(100), "window": 0}, "window must be an int >= 1, got 0"),
        ({"series": "tides"}, "series must be one of co2, sunspots, got 'tides'"),
        ({"epochs": 0}, "epochs must be an int >= 1, got 0"),
        ({"bases": ("stl",)}, "bases must be one of seasonal-difference, airline, got 'stl'"),
        ({"dropouts": (0.1, 1.0)}, "dropouts must be a number >= 0.0 and < 1.0, got 1.0"),
        ({"ensemble": 0}, "ensemble must be an int >= 1, got 0"),
        ({"engine": "torch"}, "engine must be one of keras, numpy, got 'torch'"),
    ],
)
def test_bad_input_is_refused_before_training(monkeypatch, kwargs, message):
    def never_fit(*args, **kwargs):
        raise AssertionError("a model was fitted before the input was checked")

    monkeypatch.setattr(networks, "lstm", never_fit)
    monkeypatch.setattr(classical, "fit_airline", never_fit)
    monkeypatch.setattr(classical, "CLASSICAL", {"naive": never_fit})
    with pytest.raises(ValueError, match=message):
        timeseries.run(**kwargs)


@pytest.mark.parametrize("engine", ["keras", "numpy"])
def test_both_networks_learn_a_seasonal_trend_on_either_engine(engine):
    """On a noisy trend plus a 12-month season, trained by Keras or by the NumPy reference:
    the LSTM forecasts 12 months far better than the last value repeated, and the hybrid
    corrects a seasonal-naive base that misses the trend."""
    t = np.arange(160.0)
    noise = np.random.default_rng(0).normal(0.0, 0.05, len(t))
    series = 0.05 * t + np.sin(2 * np.pi * t / 12) + noise
    train, actual = series[:-12], series[-12:]
    naive = np.abs(train[-1] - actual).mean()
    lstm, epochs = networks.lstm(train, 12, window=24, units=8, epochs=40, seed=0, engine=engine)
    assert np.abs(lstm - actual).mean() < 0.15 * naive and 1 <= epochs <= 40
    paths = np.full((len(train), 12), np.nan)
    for h in range(1, 13):  # the forecast made at t for t + h: y[t + h - 12]
        paths[12 - h :, h - 1] = train[: len(train) - 12 + h]
    base = np.abs(paths[-1] - actual).mean()
    hybrid = networks.hybrid(train, paths, 12, 12, window=24, units=8, epochs=60, dropout=0.0,
                             seed=0, engine=engine)  # fmt: skip
    assert np.abs(hybrid - actual).mean() < 0.25 * base
