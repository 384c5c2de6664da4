"""TensorFlow's start-up lines on CPU-only machines, kept out of deepkit's output.

Loading TensorFlow 2.21 on a machine without CUDA prints, to file descriptor 2::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
    I0000 00:00:... cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use ...
    E0000 00:00:... cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: ...

``TF_CPP_MIN_LOG_LEVEL=2`` (TensorFlow's own switch: hide INFO and WARNING) silences
``cpu_feature_guard``. It cannot silence the other three: the ``cudart_stub`` lines
(and absl's "WARNING: All log messages" before each) are written by absl while the
shared libraries initialise, before TensorFlow reads the variable; the ``cuInit``
line is an ERROR, which only level 3 hides, and level 3 would hide real errors too.
So, while ``tensorflow`` is imported and its devices are first listed (when
``cuInit`` runs), file descriptor 2 goes to a temporary file; afterwards every line
but those known ones (``NOISE``) is written back to stderr, in order.

``install()`` (called by ``import deepkit``) does both, unless the user set
``TF_CPP_MIN_LOG_LEVEL`` (then TensorFlow's output is theirs, untouched) or
TensorFlow is already imported. ``announce(message)`` prints ``message`` to stderr
when TensorFlow starts loading (the command line's "loading TensorFlow...").
"""

import contextlib
import importlib.machinery
import os
import re
import sys
import tempfile

LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL"
NOISE = re.compile(
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$"
    rb"|[IE]\d{4} [\d:.]+ +\d+ (cudart_stub\.cc:\d+\] Could not find cuda drivers"
    rb"|cuda_platform\.cc:\d+\] failed call to cuInit"
    rb"|cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized)"
)
_state = {"filter": False, "announce": None, "dropped": []}  # dropped: the lines filtered out


@contextlib.contextmanager
def filtered_stderr(noise=NOISE):
    """Run the block with file descriptor 2 captured; then write back each line not matching ``noise``."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().splitlines(True)
            kept = [line for line in lines if not noise.match(line)]
            _state["dropped"] += [line for line in lines if noise.match(line)]
            if kept:
                os.write(2, b"".join(kept))


class _TensorFlowLoader:
    """Wraps the ``tensorflow`` package's loader: announce, then load and list devices quietly."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        if _state["announce"]:
            print(_state["announce"], file=sys.stderr, flush=True)
        if not _state["filter"]:
            return self.loader.exec_module(module)
        with filtered_stderr():
            self.loader.exec_module(module)
            module.config.list_physical_devices()  # runs cuInit now, inside the filter


class _TensorFlowFinder:
    """A ``sys.meta_path`` entry that hands ``tensorflow``'s spec to ``_TensorFlowLoader``."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "tensorflow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _TensorFlowLoader(spec.loader)
        return spec


def install():
    """Quiet TensorFlow's start-up (see the module) unless the user set ``TF_CPP_MIN_LOG_LEVEL``."""
    if "tensorflow" in sys.modules or _TensorFlowFinder in sys.meta_path:
        return
    if LOG_LEVEL not in os.environ:
        os.environ[LOG_LEVEL] = "2"
        _state["filter"] = True
    sys.meta_path.insert(0, _TensorFlowFinder)


def announce(message):
    """Print ``message`` to stderr when TensorFlow starts loading (once; nothing if already loaded)."""
    _state["announce"] = message
