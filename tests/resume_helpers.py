"""The kill loop of the SIGKILL resume tests: start a recipe's command, wait until one of
its trainings has saved some epochs, kill it with SIGKILL.

    process = start(command, tmp_path / "killed.log")
    stopped_at = kill_when(process, lambda: epochs_saved(stage_folder) >= 1)
"""

import json
import os
import signal
import subprocess
import time

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def epochs_saved(folder):
    """The epochs Keras's BackupAndRestore has saved in the checkpoint (or stage) ``folder``."""
    try:
        return json.loads((folder / "backup" / "training_metadata.json").read_text())["epoch"]
    except (OSError, ValueError):
        return 0


def run(command, timeout=300):
    """``command`` run to its end; the ``CompletedProcess`` with its text output."""
    return subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=timeout)


def start(command, log):
    """``command`` started in the background, its output (stdout and stderr) to the file ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=ENV)


def kill_when(process, ready, log, timeout=240):
    """SIGKILL ``process`` as soon as ``ready()`` is true (polled every 10 ms); fail with the
    end of its ``log`` if it ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(
                f"the run {'ended' if process.returncode != -signal.SIGKILL else 'timed out'} "
                f"before the point to kill it:\n{log.read_text()[-2000:]}"
            )
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
