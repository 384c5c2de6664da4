"""``deepkit.atomic``: a file is its old whole content or its new whole content, never a mix."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from deepkit import atomic
from deepkit.atomic import (
    atomic_write,
    is_temporary,
    remove_temporaries,
    temporary_name,
    write_json_atomic,
)


def test_the_temporary_keeps_the_suffixes_in_the_same_folder(tmp_path):
    temporary = temporary_name(tmp_path / "3.weights.h5")
    assert temporary.parent == tmp_path and temporary.name.endswith(".weights.h5")
    assert temporary.name.startswith("3.partial-") and is_temporary(temporary)
    assert temporary_name(tmp_path / "lock").name.startswith("lock.partial-")
    assert not is_temporary(tmp_path / "3.weights.h5")


def test_a_write_replaces_the_file_flushed_and_leaves_nothing_else(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}"))
                        or real(fd))  # fmt: skip
    target = tmp_path / "epoch.json"
    target.write_text("old")
    with atomic_write(target) as temporary:
        assert not temporary.exists()
        temporary.write_text("new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["epoch.json"]
    # The data before the rename, the folder after it.
    assert synced[0].endswith(temporary.name) and synced[1] == str(tmp_path)


@pytest.mark.parametrize("step", ["writer", "rename"])
def test_a_failed_write_leaves_the_file_as_it_was(tmp_path, monkeypatch, step):
    target = tmp_path / "history.json"
    target.write_text("old")
    if step == "rename":

        def fail(*args):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError if step == "rename" else RuntimeError):
        with atomic_write(target) as temporary:
            temporary.write_text("ne")
            if step == "writer":
                raise RuntimeError("killed half way")
            temporary.write_text("new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["history.json"]


def test_json_that_cannot_be_written_leaves_the_file_as_it_was(tmp_path):
    target = tmp_path / "results.json"
    write_json_atomic(target, {"accuracy": 0.5})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"accuracy": object()})
    assert json.loads(target.read_text()) == {"accuracy": 0.5}
    assert os.listdir(tmp_path) == ["results.json"]


def test_the_leftovers_of_killed_writes_are_recognised_and_removed(tmp_path):
    (tmp_path / "keep.json").write_text("{}")
    (tmp_path / "sub").mkdir()
    left = temporary_name(tmp_path / "epoch.json")
    left.write_text('{"epo')
    assert remove_temporaries(tmp_path) == [left.name]
    assert sorted(os.listdir(tmp_path)) == ["keep.json", "sub"]
    assert remove_temporaries(tmp_path / "absent") == []


WRITER = """
import sys
from deepkit.atomic import atomic_write
path, atomic = sys.argv[1], sys.argv[2] == "atomic"
print("ready", flush=True)
for i in range(10**6):
    letter = "ab"[i % 2] * (1 << 20)
    if atomic:
        with atomic_write(path) as temporary:
            with open(temporary, "w") as out:
                for _ in range(8):
                    out.write(letter)
    else:
        with open(path, "w") as out:
            for _ in range(8):
                out.write(letter)
"""


def _killed_while_writing(path, mode, after):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), mode],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert writer.stdout.readline() == "ready\n"
    time.sleep(after)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    return path.read_text() if path.exists() else None


def test_a_process_killed_while_writing_leaves_a_whole_file(tmp_path):
    """Real SIGKILLs of a process rewriting an 8 MB file: atomically, the file is always
    whole (all one letter); written in place, a kill leaves it cut short."""
    for i, after in enumerate((0.3, 0.45, 0.6)):
        content = _killed_while_writing(tmp_path / f"atomic{i}.txt", "atomic", after)
        assert content is None or content in ("a" * (8 << 20), "b" * (8 << 20))
    cut = [
        len(_killed_while_writing(tmp_path / f"in_place{i}.txt", "in place", after) or "")
        for i, after in enumerate((0.3, 0.45, 0.6))
    ]
    assert any(size < 8 << 20 for size in cut), cut
