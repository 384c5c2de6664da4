"""The NumPy reference's optimizers against Keras's: update rules, the base options
(clipping, weight decay, moving average), learning-rate schedules, updates over a flat
buffer's spans, in place, and the Keras bridge both ways."""

import tracemalloc

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.parity import keras_float_dtype
from deepkit.reference import optimizers
from deepkit.validation import InputError

OPTIMIZER_CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.5, "epsilon": 1e-3}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.05}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-4}),
    # The base options; the gradients' norms range over 1e-4 to 10, so the
    # clipping thresholds clip some steps and weights and leave others.
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.05, "clipnorm": 0.5}),
    ("RMSprop", {"clipvalue": 0.3}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.8}),
    ("Adagrad", {"learning_rate": 0.1, "global_clipnorm": 0.8}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.2}),
    ("RMSprop", {"weight_decay": 0.5, "clipnorm": 0.5}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.8}),
    ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_overwrite_frequency": 2}),
    ("Adamax", {"learning_rate": 0.05, "clipnorm": 0.5}),
    ("Nadam", {"learning_rate": 0.05, "weight_decay": 0.3, "global_clipnorm": 0.8}),
    ("Lion", {"learning_rate": 0.01, "weight_decay": 0.5, "clipvalue": 0.3}),
    ("Adadelta", {"learning_rate": 1.0, "clipnorm": 0.5, "use_ema": True, "ema_momentum": 0.8}),
    ("Nadam", {"use_ema": True, "ema_overwrite_frequency": 2}),
]


def _start_and_grads(dtype, seed=4, steps=5):
    """Two variables and ``steps`` gradients for them, of magnitudes 1e-4 to 10."""
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]
    grads = [
        [(rng.normal(size=w.shape) * 10.0 ** rng.integers(-4, 2)).astype(dtype) for w in start]
        for _ in range(steps)
    ]
    return start, grads


def _run_both(name, kwargs, dtype, keras_kwargs=None, steps=5):
    """(reference weights, Keras weights, reference optimizer) after ``steps`` updates
    from the same start and gradients; with ``use_ema``, after finalize_variable_values."""
    start, grads = _start_and_grads(dtype, steps=steps)
    ours = [w.copy() for w in start]
    theirs = [tf.Variable(w) for w in start]
    reference = getattr(optimizers, name)(**kwargs)
    with keras_float_dtype(dtype):
        keras_optimizer = getattr(keras.optimizers, name)(**(keras_kwargs or kwargs))
        for step_grads in grads:
            reference.apply(step_grads, ours)
            keras_optimizer.apply_gradients(zip([tf.constant(g) for g in step_grads], theirs))
        reference.finalize_variable_values(ours)
        keras_optimizer.finalize_variable_values(theirs)
    return ours, [v.numpy() for v in theirs], reference


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 3e-6)])
@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_match_keras(name, kwargs, dtype, rtol):
    ours, theirs, reference = _run_both(name, kwargs, dtype)
    assert reference.iterations == 5
    for w, v in zip(ours, theirs):
        assert w.dtype == np.dtype(dtype)
        np.testing.assert_allclose(w, v, rtol=rtol, atol=rtol)


SCHEDULES = [
    ("ExponentialDecay", {"decay_steps": 2, "decay_rate": 0.5}),
    ("PiecewiseConstantDecay", {"boundaries": [1, 3], "values": [0.1, 0.02, 0.005]}),
    ("CosineDecay", {"decay_steps": 3, "warmup_target": 0.2, "warmup_steps": 2}),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 3e-6)])
@pytest.mark.parametrize("schedule,arguments", SCHEDULES)
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("SGD", {"momentum": 0.9, "weight_decay": 0.1}),
        ("Adam", {"clipnorm": 0.5}),
        ("Adamax", {"global_clipnorm": 0.8}),
        ("Nadam", {"weight_decay": 0.1}),
        ("Lion", {"clipvalue": 0.3}),
        ("Adadelta", {"rho": 0.8, "clipnorm": 0.5}),
    ],
)
def test_scheduled_steps_match_keras(name, kwargs, schedule, arguments, dtype, rtol):
    """Each update reads the schedule at the iteration count (0 first), the weight
    decay too. In float64 the schedule computes in float64 (a float64 start), so
    the whole trajectory matches to rounding."""
    arguments = dict(arguments)
    key = "values" if "values" in arguments else "initial_learning_rate"
    arguments.setdefault(key, 0.1)
    if dtype == "float64":
        value = arguments[key]
        arguments[key] = [np.float64(v) for v in value] if key == "values" else np.float64(value)
    reference_schedule = getattr(optimizers.schedules, schedule)(**arguments)
    keras_schedule = getattr(keras.optimizers.schedules, schedule)(**arguments)
    ours, theirs, _ = _run_both(
        name,
        {**kwargs, "learning_rate": reference_schedule},
        dtype,
        {**kwargs, "learning_rate": keras_schedule},
        steps=6,
    )
    for w, v in zip(ours, theirs):
        np.testing.assert_allclose(w, v, rtol=rtol, atol=rtol)


def test_a_float32_schedule_drives_float64_weights_as_in_keras():
    """A Python-float schedule computes in float32 in Keras whatever the weights'
    dtype, and so does the reference: the float64 trajectories agree to rounding."""
    kwargs = {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.7}
    ours, theirs, reference = _run_both(
        "SGD",
        {"learning_rate": optimizers.schedules.ExponentialDecay(**kwargs)},
        "float64",
        {"learning_rate": keras.optimizers.schedules.ExponentialDecay(**kwargs)},
    )
    assert reference.current_learning_rate().dtype == np.float32
    for w, v in zip(ours, theirs):
        np.testing.assert_allclose(w, v, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize(
    "kwargs", [{"clipnorm": 0.5}, {"global_clipnorm": 0.8}, {"use_ema": True}, {}]
)
def test_spans_update_each_trainable_weight_as_separate_arrays(kwargs):
    """One flat buffer with spans (the runs of trainable weights; a frozen weight
    between them) updates exactly as the trainable weights as separate arrays:
    clipnorm per weight, the global norm over the trainable ones only."""
    rng = np.random.default_rng(2)
    sizes, trainable = (6, 4, 5, 3), (True, False, True, True)
    flat, grad = rng.normal(size=sum(sizes)), rng.normal(size=sum(sizes)) * 3
    edges = np.cumsum((0,) + sizes)
    runs = [(s, e) for s, e, t in zip(edges, edges[1:], trainable) if t]
    arrays = [flat[s:e].copy() for s, e in runs]
    frozen = flat[edges[1] : edges[2]].copy()
    as_flat = optimizers.Adam(0.1, **kwargs)
    as_arrays = optimizers.Adam(0.1, **kwargs)
    for _ in range(3):
        as_flat.apply([grad], [flat], [runs])
        as_arrays.apply([grad[s:e] for s, e in runs], arrays)
    as_flat.finalize_variable_values([flat], [runs])
    as_arrays.finalize_variable_values(arrays)
    np.testing.assert_allclose(np.concatenate([flat[s:e] for s, e in runs]), np.concatenate(arrays))
    np.testing.assert_array_equal(flat[edges[1] : edges[2]], frozen)


@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_update_in_place_without_temporaries(name, kwargs):
    """After the first step (which builds the slots), a step allocates no array:
    everything runs in the slots, the two scratch buffers and the clipping buffer,
    and the caller's gradient stays as it was."""
    rng = np.random.default_rng(5)
    variable, grad = rng.normal(size=100_000), rng.normal(size=100_000)
    reference = getattr(optimizers, name)(**kwargs)
    reference.apply([grad], [variable])
    before, grad_before = variable.copy(), grad.copy()
    tracemalloc.start()
    try:
        reference.apply([grad], [variable])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < variable.nbytes / 10, f"{name} allocated {peak} bytes in one step"
    assert not np.array_equal(variable, before)
    np.testing.assert_array_equal(grad, grad_before)


def test_optimizer_bridge_both_ways():
    reference = optimizers.from_keras(keras.optimizers.Adam(learning_rate=0.02, beta_2=0.99))
    assert isinstance(reference, optimizers.Adam) and reference.beta_2 == 0.99
    assert reference.learning_rate == pytest.approx(0.02)
    assert isinstance(reference.to_keras(), keras.optimizers.Adam)
    keras_optimizer = keras.optimizers.AdamW(
        learning_rate=keras.optimizers.schedules.CosineDecay(0.1, 10, alpha=0.2),
        weight_decay=0.01,
        amsgrad=True,
        global_clipnorm=2.0,
    )
    reference = optimizers.from_keras(keras_optimizer)
    assert isinstance(reference, optimizers.AdamW)
    assert (reference.weight_decay, reference.amsgrad, reference.global_clipnorm) == (
        0.01,
        True,
        2.0,
    )
    assert isinstance(reference.learning_rate, optimizers.schedules.CosineDecay)
    assert reference.learning_rate.alpha == 0.2
    again = reference.to_keras()
    assert isinstance(again.get_config()["learning_rate"], dict)
    expected = {k: v for k, v in keras_optimizer.get_config().items() if k != "name"}
    assert {k: v for k, v in again.get_config().items() if k != "name"} == expected
    clipped = optimizers.from_keras(keras.optimizers.SGD(clipvalue=1.0, momentum=0.5))
    assert (clipped.clipvalue, clipped.momentum) == (1.0, 0.5)


@pytest.mark.parametrize(
    "options",
    [
        {"global_clipnorm": 0.5, "weight_decay": 0.05},
        {"clipnorm": 0.05},
        {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 4},
    ],
)
def test_a_model_compiled_with_a_schedule_and_options_trains_as_in_keras(options):
    """Through the model bridge and fit (the only test here that trains a model: it
    alone catches how the trainer counts iterations and hands over its buffers): the
    schedule, the global clipping and the weight decay over the flat buffer, the
    clipping of each weight's gradient on its own, or the moving average of the weights
    that becomes the weights at the end of fit (float64)."""
    from deepkit import reference as ref

    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4))
    y = (x[:, :1] - x[:, 1:2] > 0).astype("float64")
    with keras_float_dtype("float64"):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(3, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        schedule = keras.optimizers.schedules.ExponentialDecay(np.float64(0.5), 2, 0.7)
        optimizer = keras.optimizers.SGD(schedule, momentum=0.9, **options)
        model.compile(optimizer=optimizer, loss="binary_crossentropy")
        reference = ref.from_keras(model)
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert reference.optimizer.iterations == 6
    for ours, theirs in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


class Halving(keras.optimizers.schedules.LearningRateSchedule):
    def __call__(self, step):
        return 0.1 / (1 + tf.cast(step, "float32"))


@pytest.mark.parametrize(
    "keras_optimizer,expected",
    [
        (
            keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD()),
            "no NumPy reference for Keras optimizer LossScaleOptimizer",
        ),
        (keras.optimizers.SGD(loss_scale_factor=128.0), "loss_scale_factor=128.0"),
        (keras.optimizers.Adam(gradient_accumulation_steps=2), "gradient_accumulation_steps=2"),
        (keras.optimizers.SGD(learning_rate=Halving()), "schedule Halving"),
        (keras.optimizers.SGD(learning_rate=lambda: 0.1), "a callable learning rate"),
    ],
)
def test_optimizer_bridge_refuses_what_it_cannot_host(keras_optimizer, expected):
    with pytest.raises(InputError, match=expected):
        optimizers.from_keras(keras_optimizer)


def test_optimizer_bridge_refuses_weight_decay_exclusions():
    keras_optimizer = keras.optimizers.AdamW()
    keras_optimizer.exclude_from_weight_decay(var_names=["bias"])
    with pytest.raises(InputError, match="exclude_from_weight_decay"):
        optimizers.from_keras(keras_optimizer)


@pytest.mark.parametrize(
    "make,expected",
    [
        (lambda: optimizers.get("adamant"), "unknown optimizer"),
        (lambda: optimizers.SGD(clipnorm=1.0, clipvalue=1.0), "at most one of"),
        (lambda: optimizers.SGD(clipnorm=0.0), "clipnorm must be a number > 0"),
        (lambda: optimizers.SGD(weight_decay=-0.1), "weight_decay must be a number >= 0"),
        (lambda: optimizers.SGD(learning_rate="fast"), "learning_rate must be a number"),
        (lambda: optimizers.Adam(use_ema=True, ema_momentum=1.5), "ema_momentum"),
        (lambda: optimizers.AdamW(weight_decay=None), "AdamW needs a weight_decay"),
        (lambda: optimizers.Lion(beta_1=0.0), "beta_1 must be a number > 0"),
        (lambda: optimizers.Lion(beta_1=1.5), "beta_1 must be a number"),
    ],
)
def test_optimizer_arguments_are_checked(make, expected):
    with pytest.raises(InputError, match=expected):
        make()


@pytest.mark.parametrize(
    "keras_optimizer",
    [
        keras.optimizers.Adamax(learning_rate=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-5),
        keras.optimizers.Nadam(
            learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 3, 0.5),
            beta_2=0.99,
            weight_decay=0.01,
        ),
        keras.optimizers.Lion(learning_rate=0.003, beta_1=0.7, beta_2=0.95, clipnorm=1.0),
        keras.optimizers.Adadelta(
            learning_rate=1.0, rho=0.9, epsilon=1e-6, use_ema=True, ema_overwrite_frequency=3
        ),
    ],
    ids=lambda optimizer: type(optimizer).__name__,
)
def test_more_optimizers_bridge_both_ways(keras_optimizer):
    """Adamax, Nadam, Lion and Adadelta come over with every argument and go back
    to the same Keras configuration; ``get`` knows their Keras names."""
    name = type(keras_optimizer).__name__
    reference = optimizers.from_keras(keras_optimizer)
    assert type(reference) is getattr(optimizers, name)
    assert type(optimizers.get(name.lower())) is type(reference)
    assert type(optimizers.get(name)) is type(reference)
    again = reference.to_keras()
    assert type(again) is type(keras_optimizer)
    expected = {k: v for k, v in keras_optimizer.get_config().items() if k != "name"}
    assert {k: v for k, v in again.get_config().items() if k != "name"} == expected


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_nadam_momentum_product_matches_keras(dtype):
    """Nadam's running product of the momentum schedule, one scalar updated once
    per step before the weights (in float64 from beta_1 and 0.96 taken directly,
    not through float32)."""
    _, theirs, reference = _run_both("Nadam", {"beta_1": 0.8}, dtype, steps=4)
    with keras_float_dtype(dtype):
        keras_optimizer = keras.optimizers.Nadam(beta_1=0.8)
        variable = tf.Variable(np.zeros(3, dtype))
        for _ in range(4):
            keras_optimizer.apply_gradients([(tf.constant(np.ones(3, dtype)), variable)])
    assert reference._u_product.dtype == np.dtype(dtype)
    assert reference._u_product == keras_optimizer._u_product.numpy()


def test_a_model_compiled_with_nadam_trains_as_in_keras():
    """Through the model bridge and fit, with a schedule and weight decay (float64):
    Nadam keeps its momentum product across the trainer's steps."""
    from deepkit import reference as ref

    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 4))
    y = (x[:, :1] - x[:, 1:2] > 0).astype("float64")
    with keras_float_dtype("float64"):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(3, activation="tanh"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        schedule = keras.optimizers.schedules.ExponentialDecay(np.float64(0.05), 2, 0.7)
        keras_optimizer = keras.optimizers.Nadam(schedule, weight_decay=0.05)
        model.compile(optimizer=keras_optimizer, loss="binary_crossentropy")
        reference = ref.from_keras(model)
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert reference.optimizer.iterations == 4
    for ours, theirs in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
