"""The folder's lock: a second process on a folder in use is refused naming the first,
and a killed process leaves no lock behind."""

import signal
import subprocess
import sys

import pytest
from resume_helpers import ENV

from deepkit.checkpoints import Checkpoint
from deepkit.validation import InputError


def test_a_second_process_on_a_folder_in_use_is_refused_naming_the_first(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from deepkit.checkpoints import Checkpoint;"
         " c = Checkpoint(sys.argv[1], {}); print('ready', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(InputError) as error:
            Checkpoint(tmp_path, {})
        message = str(error.value)
        assert message.startswith(f"checkpoint folder {tmp_path} is in use by process {holder.pid}")
        assert message.endswith("; wait for it to end or use another folder")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with Checkpoint(tmp_path, {}):  # a killed process leaves no lock behind
        pass
