"""Fixtures shared by the tests of fine-tuning on a folder of pictures: a pretrained tiny
base with training and held-out pictures (made once), a folder with one chosen problem, and
the one-line refusal of `deepkit finetune`."""

import pytest
from image_helpers import tiny_base, write_digits, write_png

from deepkit.cli import main


@pytest.fixture(scope="package")
def files(tmp_path_factory):
    """A tiny CNN pretrained on digits 3-9 (``base.keras``), 30 training pictures of each of
    0, 1 and 2 in class folders, and 15 held-out pictures of each in one folder."""
    root = tmp_path_factory.mktemp("finetune")
    base = tiny_base(root / "base.keras")
    write_digits(root / "pictures", per_class=30)
    held_out = write_digits(root / "new", per_class=15, start=30, flat=True)
    return base, root / "pictures", held_out


@pytest.fixture
def folder(tmp_path):
    """``folder(kind)``: a folder of pictures with one problem (``"fine"``: none)."""

    def make(kind):
        folder = tmp_path / kind
        if kind == "empty":
            folder.mkdir()
        elif kind == "single class":
            write_digits(folder, digits=(4,), per_class=3)
        else:
            write_digits(folder, digits=(0, 1), per_class=5)
        if kind == "empty class":
            (folder / "2").mkdir()
        elif kind == "bad files":
            (folder / "0" / "notes.txt").write_text("")
            (folder / "1" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n cut")
        elif kind == "too small":
            write_png(folder / "1" / "tiny.png", size=(16, 16))
        return folder

    return make


@pytest.fixture
def refused(capsys):
    """``refused(*argv)``: ``deepkit finetune *argv``'s one-line error, after checking it
    exits with status 2 and prints exactly one line."""

    def run(*argv):
        assert main(["finetune", *map(str, argv)]) == 2
        error = capsys.readouterr().err
        assert error.startswith("deepkit: error: ") and error.count("\n") == 1, error
        return error

    return run
