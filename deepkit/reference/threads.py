"""How many BLAS threads the NumPy reference's matrix products use: chosen per call of
``fit``/``evaluate``/``predict`` from the size of the model's largest product
and from how busy the machine's cores are.

Rule (``blas_threads_for``)::

    macs    = batch_size * max over weight matrices of (weight.size * positions)
    threads = 1                                     if macs < PARALLEL_MIN_MACS
            = clip(cores - (load_1min - 1), 1, cores) otherwise

``positions`` is the number of output positions a convolution kernel is applied
at (1 for Dense and recurrent kernels). A small product costs less than waking
a second thread; on a machine whose cores are already busy, extra BLAS threads
only wait for a core (OpenBLAS's threads spin while they wait), which makes the
NumPy reference many times slower than Keras with the library's default count on
a loaded machine. ``PARALLEL_MIN_MACS`` is the crossover of float32 ``a @ w``
and ``a.T @ (a @ w)`` on two cores: products of a few hundred thousand
multiply-adds gain nothing from a second thread (OpenBLAS keeps them on one),
products of a few million gain while a core is free, and lose while other work
keeps both cores busy.

A model's ``blas_threads`` attribute overrides the rule: ``None`` (default)
applies it, an int forces that count. Without an override the rule never
raises the count above what the caller allows (an outer
``threadpool_limits(1)`` stays in force).

The NumPy reference imports only NumPy and itself, with one exception:
``threadpoolctl`` (a dependency of scikit-learn and of deepkit), imported
lazily inside ``blas_threads`` to set the count.
"""

import contextlib
import os

from deepkit.validation import check_int

PARALLEL_MIN_MACS = 1_000_000  # multiply-adds of one product; below it one thread is faster

_controller = None


def _blas_controller():
    """threadpoolctl's view of NumPy's BLAS, looked up once (the lookup walks the loaded libraries)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController().select(user_api="blas")
    return _controller


def current_threads():
    """The BLAS thread count in force now (1 if NumPy has no BLAS threadpoolctl knows)."""
    counts = [library.num_threads for library in _blas_controller().lib_controllers]
    return max(counts, default=1)


def free_cores(cores=None, load=None):
    """Cores not busy with other work: ``cores - (load - 1)``, the 1 being this
    process, clipped to [1, cores]. ``load`` defaults to the 1-minute load average."""
    cores = cores or os.cpu_count() or 1
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 1.0
    return int(min(cores, max(1.0, cores - (load - 1.0))))


def largest_product(model, batch_size):
    """Multiply-adds of the largest matrix product one batch of ``batch_size`` makes in ``model``."""
    return batch_size * max((size for size in _product_sizes(model)), default=0)


def _product_sizes(model):
    """weight.size * positions for each weight matrix of ``model``, nested models included."""
    if hasattr(model, "layers"):
        for layer in model.layers:
            yield from _product_sizes(layer)
        return
    parts = [getattr(model, name, None) for name in ("generator", "discriminator")]
    if any(part is not None for part in parts):  # a model made of models (GAN)
        for part in parts:
            yield from _product_sizes(part)
        return
    output_shape = getattr(model, "output_shape", None) or ()
    # all weights, frozen ones too: their forward products still run
    weights = getattr(model, "weights", None) or getattr(model, "trainable_weights", [])
    for weight in weights:
        if weight.ndim >= 2:
            positions = 1
            if weight.ndim >= 4:  # a convolution kernel, applied at every output position
                for extent in output_shape[1:-1]:
                    positions *= extent or 1
            yield weight.size * positions


def blas_threads_for(model, batch_size, cores=None, load=None):
    """The thread count the rule picks for ``model`` and ``batch_size`` (see the module docstring)."""
    if largest_product(model, batch_size) < PARALLEL_MIN_MACS:
        return 1
    return free_cores(cores, load)


def chosen_threads(model, batch_size):
    """The count ``blas_threads`` uses: ``model.blas_threads`` when set, else the rule
    capped at the count in force."""
    forced = getattr(model, "blas_threads", None)
    if forced is not None:
        return check_int(forced, "blas_threads", min_value=1)
    return min(blas_threads_for(model, batch_size), current_threads())


@contextlib.contextmanager
def blas_threads(model, batch_size):
    """Run the block with NumPy's BLAS on ``chosen_threads(model, batch_size)`` threads."""
    threads = chosen_threads(model, batch_size)
    controller = _blas_controller()
    if not controller.lib_controllers or threads == current_threads():
        yield threads
        return
    with controller.limit(limits=threads):
        yield threads
