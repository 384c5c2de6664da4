"""``deepkit reproduce``: the committed docs/results.md and the recipe pages' tables are rendered
from the committed results.json, a quick run writes well-formed entries, ``--only`` replaces one
measurement's entries only; the README's hand-written summary gives figures of results.json."""

import json
import re
from pathlib import Path

import pytest

from deepkit import reproduce
from deepkit.reproduce import render, results
from deepkit.validation import InputError

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "mnist_subset.npz"
KEYS = {"name", "recipe", "figure", "what", "value", "fmt", "claim", "command", "seeds",
        "seconds", "quick", "versions", "machine", "measured"}  # fmt: skip


def _pending(entries):
    measured = {e["name"] for e in entries}
    return [(n, f.__doc__.splitlines()[0]) for n, (_, f) in reproduce.MEASURES.items()
            if n not in measured]  # fmt: skip


def test_committed_docs_are_rendered_from_results_json():
    entries = results.load(ROOT / "results.json")
    assert entries, "results.json holds no entries"
    assert not any(e["quick"] for e in entries), "quick entries in the full-size results.json"
    expected = render.results_md(entries, _pending(entries))
    assert (ROOT / "docs" / "results.md").read_text("utf-8") == expected, (
        "docs/results.md differs: deepkit reproduce --render"
    )
    shown = set()
    for page, recipes in render.PAGES.items():
        text = (ROOT / "docs" / page).read_text("utf-8")
        block = render.page_block(entries, recipes, page)
        assert render.splice(text, block) == text, (
            f"docs/{page} differs: deepkit reproduce --render"
        )
        shown.update(recipes)
    assert {e["recipe"] for e in entries} <= shown, "a recipe's figures are on no page"


def _numbers(value):
    """Every number in a results.json value (lists and dicts walked)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, (int, float)) else []


def _shown(text, values):
    """Whether ``text`` (a decimal as the README writes it, "1.33" of "1.33%") is one of
    ``values`` at its decimals, or one of them as a percentage."""
    places = len(text.split(".")[1])
    return any(round(float(text), places) in (round(v, places), round(100 * v, places))
               for v in values)  # fmt: skip


def test_the_readme_summary_shows_figures_of_results_json():
    """The README's results summary is written by hand: each decimal it gives as measured
    must be a figure of its recipe in results.json, at the decimals shown."""
    entries = results.load(ROOT / "results.json")
    readme = (ROOT / "README.md").read_text("utf-8")
    summary = readme[readme.index("| Recipe | The tutorial or anchor says |") :]
    summary = summary[: summary.index("\n\n")]
    body = summary.split("\n", 2)[2]  # below the header and its rule
    rows = re.findall(r"^\| (\w+)[^|]*\|[^|]*\| ([^|]+) \|$", body, re.M)
    assert len(rows) >= 10, rows
    for recipe, measured in rows:
        values = [n for e in entries if e["recipe"] == recipe for n in _numbers(e["value"])]
        assert values, f"README: no results.json figure of {recipe}"
        for text in re.findall(r"-?\d+\.\d+", measured):
            assert _shown(text, values), f"README: {recipe}'s {text} is not in results.json"


def test_render_writes_the_docs_and_leaves_the_readme_alone(tmp_path):
    entries = [
        _entry("t2", "held-out accuracy", 0.5),
        _entry("churn", "ROC AUC", [0.8, 0.9], (0, 1)),
    ]
    results.save(tmp_path / "results.json", entries)
    readme = "# x\n\n<!-- results:start -->\nold\n<!-- results:end -->\n"
    (tmp_path / "README.md").write_text(readme)
    page = tmp_path / "docs" / "recipes" / "churn.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Churn\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nAfter.\n")
    reproduce.render_files(tmp_path)
    assert (tmp_path / "README.md").read_text() == readme
    assert not (tmp_path / "results.md").exists()
    md = (tmp_path / "docs" / "results.md").read_text()
    assert md.startswith("# Results") and "| t2 | w | held-out accuracy |" in md
    text = page.read_text()
    assert "old" not in text and text.endswith("<!-- results:end -->\n\nAfter.\n")
    assert "(../results.md)" in text and "| w | ROC AUC (seeds 0-1) |  | mean 0.8500" in text
    assert "held-out accuracy" not in text  # t2's row belongs to another page
    page.write_text("# Churn, markers lost\n")
    with pytest.raises(InputError, match="churn.md needs one <!-- results:start -->"):
        reproduce.render_files(tmp_path)


def test_quick_run_writes_entries_and_renders_without_touching_the_readme(tmp_path):
    readme = "# x\n\n<!-- results:start -->\nold\n<!-- results:end -->\n"
    (tmp_path / "README.md").write_text(readme)
    new = reproduce.reproduce(["t3", "mnist"], quick=True, directory=tmp_path, path=str(SUBSET),
                              verbose=False)  # fmt: skip
    document = json.loads((tmp_path / "results-quick.json").read_text())
    assert document["entries"] == new
    assert {e["name"] for e in new} == {"t3", "mnist"}
    # Seconds are rounded to 0.1: a quick t3 can take less, a quick MNIST training cannot.
    assert max(entry["seconds"] for entry in new) > 0
    for entry in new:
        assert KEYS <= set(entry), KEYS - set(entry)
        assert entry["quick"] is True and entry["seeds"] == [0] and entry["seconds"] >= 0
        assert entry["command"].startswith(f"deepkit run {entry['recipe']}")
        assert set(entry["versions"]) == {"python", "numpy", "tensorflow", "keras", "sklearn"}
        assert entry["machine"]["cpu_count"] >= 1
    # T3's worked examples are exact, on both engines
    t3 = {e["figure"]: e["value"] for e in new if e["name"] == "t3"}
    assert t3["2-2-1 net, relu hidden, input [-1, 2]"] == {"NumPy reference": -3.0, "Keras": -3.0}
    assert t3["2-2-2-1 net, relu hidden, input [3, 5]"] == {
        "NumPy reference": 364.0,
        "Keras": 364.0,
    }
    # the quick MLP (1,200 images, 2 epochs) learns: far above the 10-class chance of 0.1
    (accuracy,) = [e for e in new if e["figure"] == "test accuracy" and "keras" in e["what"]]
    assert accuracy["value"] > 0.5 and "--limit 1200" in accuracy["command"]
    assert (tmp_path / "README.md").read_text() == readme
    md = (tmp_path / "results-quick.md").read_text()
    assert (
        "quick (few epochs, small data): NumPy reference -3; Keras -3" in md
        and "`deepkit reproduce --only cnn`" in md
    )


def test_every_full_mnist_run_reads_the_path_given(monkeypatch):
    import dataclasses
    import importlib

    from deepkit.reproduce import families, images, lessons, rbm, tutorials

    class Started(Exception):
        """Raised where the recipe would start: the arguments it would get."""

    def start(run, seeds, path=None, **options):
        raise Started(path, options)

    for module in (families, images, lessons, rbm, tutorials):
        monkeypatch.setattr(module, "timed", start)
    checked = []
    for name, (recipe, measure) in reproduce.MEASURES.items():
        # churn's path is its CSV; finetune is not a recipe package and passes it itself
        if recipe in ("churn", "finetune"):
            continue
        settings = importlib.import_module(f"deepkit.recipes.{recipe}").Settings
        if "path" not in {field.name for field in dataclasses.fields(settings)}:
            continue
        with pytest.raises(Started) as started:
            measure(False, "/data/mnist.npz")
        path, options = started.value.args
        assert path == "/data/mnist.npz" and "path" not in options, name
        checked.append(name)
    assert {"dbn", "gan", "mnist", "t1", "rbm", "gradient_flow"} <= set(checked)


def _entry(name, figure, value, seeds=(0,)):
    entry = results.figure(figure, value, what="w", command=f"deepkit run {name}", seeds=seeds,
                           seconds=1.0)  # fmt: skip
    return results.stamp([entry], name, name, quick=False)[0]


def test_merge_replaces_only_the_remeasured_measurement_and_keeps_the_table_order():
    old = [_entry("t2", "a", 0.1), _entry("churn", "b", [0.1, 0.2, 0.3], (0, 1, 2)),
           _entry("t2", "c", 0.2)]  # fmt: skip
    new = [_entry("t2", "a", 0.9)]
    merged = results.merge(old, new, list(reproduce.MEASURES))
    assert [(e["name"], e["figure"], e["value"]) for e in merged] == [
        ("churn", "b", pytest.approx(0.2)),
        ("t2", "a", 0.9),
    ]


def test_several_seeds_give_mean_and_range_and_render_them():
    entry = _entry("churn", "test accuracy", [0.84, 0.83, 0.86], (0, 1, 2))
    assert entry["value"] == pytest.approx(0.8433333) and (entry["min"], entry["max"]) == (
        0.83,
        0.86,
    )
    row = render.table([entry]).splitlines()[-1]
    assert "mean 0.8433, range 0.8300 to 0.8600" in row and "test accuracy (seeds 0-2)" in row
    with pytest.raises(ValueError, match="2 values for 3 seeds"):
        _entry("churn", "x", [0.1, 0.2], (0, 1, 2))


def test_format_value_of_dicts_lists_and_matrices():
    dict_value = {"NumPy reference": -3.0, "Keras": -3.0}
    assert render.format_value(dict_value, "{:.5g}") == "NumPy reference -3; Keras -3"
    assert render.format_value([0.4183, 0.4861], "{:.3f}") == "0.418 / 0.486"
    assert render.format_value([[1, 2], [3, 4]], None) == "[[1, 2], [3, 4]]"
    assert render.format_value(0.9809, "{:.2%}") == "98.09%"


def test_the_docs_call_it_the_numpy_reference():
    assert (
        render.words("T3's net on the NumPy twin, batch 10")
        == "T3's net on the NumPy reference, batch 10"
    )
    assert render.words("twin -3; Keras -3") == "NumPy reference -3; Keras -3"
    assert render.words("twins and twinkles") == "twins and twinkles"


def test_splice_needs_both_markers_in_order():
    text = render.splice("a\n<!-- results:start -->\nold\n<!-- results:end -->\nb", "new")
    assert text == "a\n<!-- results:start -->\nnew\n<!-- results:end -->\nb"
    for broken in ("no markers", "<!-- results:end --> <!-- results:start -->"):
        with pytest.raises(InputError, match="results:start"):
            render.splice(broken, "new")


def test_bad_input_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(InputError, match="unknown measurement 'mnsit'"):
        reproduce.reproduce(["t3", "mnsit"], quick=True, directory=tmp_path, verbose=False)
    assert not (tmp_path / "results-quick.json").exists()
    with pytest.raises(InputError, match="no results to render"):
        reproduce.render_files(tmp_path)
    (tmp_path / "results.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        reproduce.render_files(tmp_path)
