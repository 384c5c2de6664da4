"""Fixtures of the checkpoint tests: one tiny training for them all, and its stage run
uninterrupted without a folder and with one."""

import pytest
from resume_helpers import TinyTraining

from ._stages import run_stage


@pytest.fixture(scope="session")
def tiny():
    return TinyTraining()


@pytest.fixture(scope="session")
def uninterrupted(tiny, tmp_path_factory):
    """The state and results of the stage run without a folder, and the same with one."""
    plain = run_stage(tiny, None)
    kept = run_stage(tiny, tmp_path_factory.mktemp("whole"))
    return plain, kept
