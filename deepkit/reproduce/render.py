"""Markdown from ``results.json``'s entries: the documentation's results page and the
measured figures on each recipe's page.

``deepkit reproduce --render`` (``write_docs``) writes ``docs/results.md``, the whole table
(``results_md``), and in each page of ``PAGES`` the rows of its recipes between the page's
``<!-- results:start -->`` and ``<!-- results:end -->`` lines (``page_block``, ``splice``).
Everything depends on the entries alone (each carries its own number format), so the
committed pages are a pure function of the committed ``results.json``, and a test checks
them. The README is not touched: it links to the results page.
"""

import posixpath
import re
from pathlib import Path

from deepkit.validation import InputError

START, END = "<!-- results:start -->", "<!-- results:end -->"
COLUMNS = ("Recipe", "What ran", "Figure", "Claimed", "Measured", "Seconds", "Command")
PAGE_COLUMNS = ("What ran", "Figure", "Claimed", "Measured", "Command")
RESULTS_PAGE = "results.md"
# docs page (relative to docs/) -> the recipes whose entries it shows, in table order.
PAGES = {
    "tutorials/t1.md": ("t1",),
    "tutorials/t2.md": ("t2",),
    "tutorials/t3.md": ("t3",),
    "recipes/gradient_flow.md": ("gradient_flow",),
    "recipes/churn.md": ("churn",),
    "recipes/mnist-mlp.md": ("mnist",),
    "recipes/cnn.md": ("cnn",),
    "recipes/rnn.md": ("rnn", "rnn-bidirectional"),
    "recipes/timeseries.md": ("timeseries",),
    "recipes/dbn.md": ("dbn",),
    "recipes/rbm.md": ("rbm",),
    "recipes/gan.md": ("gan",),
    "recipes/transfer.md": ("transfer",),
    "recipes/finetune.md": ("finetune",),
}
# Entries measured before the NumPy reference got its name call it "the twin".
WORDS = (
    (re.compile(r"\bNumPy twin\b"), "NumPy reference"),
    (re.compile(r"\btwin\b"), "NumPy reference"),
)


def words(text):
    """``text`` in the documentation's words (the NumPy reference, never "twin").

    Args:
        text: a value of ``results.json``, written before the NumPy reference got its name.

    Returns:
        The text, its old words replaced.
    """
    text = str(text)
    for pattern, replacement in WORDS:
        text = pattern.sub(replacement, text)
    return text


def format_value(value, fmt):
    """A measured value as text.

    Args:
        value: a number, a dict of numbers, a list of numbers, or anything else.
        fmt: a format string such as ``"{:.4f}"``, or ``None``.

    Returns:
        ``value`` printed with ``fmt``: a dict as "key value; ...", a list of numbers
        joined by " / ", anything without a format (a matrix) as written.
    """
    if fmt is None:
        return str(value)
    if isinstance(value, dict):
        return "; ".join(f"{key} {format_value(v, fmt)}" for key, v in value.items())
    if isinstance(value, list):
        return " / ".join(format_value(v, fmt) for v in value)
    return fmt.format(value)


def measured(entry):
    """The Measured cell: the value, and over several seeds the mean and the range.

    Args:
        entry: one entry of ``results.json``.

    Returns:
        The cell's text.
    """
    text = format_value(entry["value"], entry["fmt"])
    if "values" in entry:
        low, high = (format_value(entry[k], entry["fmt"]) for k in ("min", "max"))
        text = f"mean {text}, range {low} to {high}"
    if entry["quick"]:
        text = f"quick (few epochs, small data): {text}"
    return text


def figure_cell(entry):
    """The figure's name, with its seeds unless it is seed 0 alone.

    Args:
        entry: one entry of ``results.json``.

    Returns:
        The cell's text.
    """
    seeds = entry["seeds"]
    if seeds == [0]:
        return entry["figure"]
    shown = f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
    return f"{entry['figure']} ({shown})"


def _cell(text):
    return words(text).replace("|", "\\|")


def _table(columns, rows):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def table(entries):
    """The results page's Markdown table, one row per figure.

    Args:
        entries: the entries of ``results.json``.

    Returns:
        The table as one string.
    """
    rows = [
        (
            e["recipe"],
            e["what"],
            figure_cell(e),
            e["claim"] or "",
            measured(e),
            f"{e['seconds']:,.1f}",
            f"`{e['command']}`",
        )  # fmt: skip
        for e in entries
    ]
    return _table(COLUMNS, rows)


def page_table(entries):
    """The Markdown table of one recipe page.

    It has no Recipe or Seconds column, and a "What ran" cell only where it changes
    from the row above.

    Args:
        entries: the page's entries.

    Returns:
        The table as one string.
    """
    rows, previous = [], None
    for e in entries:
        what = "" if e["what"] == previous else e["what"]
        previous = e["what"]
        rows.append((what, figure_cell(e), e["claim"] or "", measured(e), f"`{e['command']}`"))
    return _table(PAGE_COLUMNS, rows)


def environments(entries):
    """One line per distinct (versions, machine) the entries were measured with.

    Args:
        entries: the entries of ``results.json``.

    Returns:
        The lines, a list of strings.
    """
    seen = {}
    for e in entries:
        versions = ", ".join(f"{k} {v}" for k, v in e["versions"].items())
        where = f"{e['machine']['cpu_count']} CPUs, {e['machine']['platform']}"
        seen.setdefault(f"{versions}; {where}", []).append(e["name"])
    return [f"- {env}: {', '.join(dict.fromkeys(names))}" for env, names in seen.items()]


def block(entries, pending):
    """The results page's body: the table, the environments, then what was not measured.

    Args:
        entries: the entries of ``results.json``.
        pending: ``(name, description)`` of measurements with no entry.

    Returns:
        The body as one string.
    """
    lines = [
        "Generated by `deepkit reproduce --render` from `results.json` (do not edit by hand;",
        "re-measure one row's recipe with `deepkit reproduce --only NAME`). Measured on",
        "this project's shared 2-core CPU machine, so seconds are upper bounds. Nothing was",
        "tuned towards a claim. Seed 0 unless the Figure column names the seeds; a range",
        "is over those seeds.",
        "",
        table(entries),
        "",
        "Measured with:",
        "",
        *environments(entries),
    ]
    missing = [
        f"- `{name}`: {words(about)} (`deepkit reproduce --only {name}`)" for name, about in pending
    ]
    if missing:
        lines += ["", "Not measured at full size (no entry in `results.json`):", "", *missing]
    return "\n".join(lines)


def results_md(entries, pending):
    """The whole results page (``docs/results.md``, or ``results-quick.md`` of a quick run).

    Args:
        entries: the entries of ``results.json``.
        pending: as ``block``'s.

    Returns:
        The page as one string.
    """
    return f"# Results: tutorial claims vs measured\n\n{block(entries, pending)}\n"


def page_block(entries, recipes, page):
    """What goes between the markers of one recipe page.

    Args:
        entries: the entries of ``results.json``.
        recipes: the recipes whose entries the page shows.
        page: the page, a path under docs/.

    Returns:
        The table of the recipes' entries, or a line saying that none was measured yet.
    """
    shown = [e for e in entries if e["recipe"] in recipes]
    if not shown:
        return f"No entry in `results.json` yet: `deepkit reproduce --only {recipes[0]}`."
    link = posixpath.relpath(RESULTS_PAGE, posixpath.dirname(page) or ".")
    lead = (
        "Generated by `deepkit reproduce --render` from `results.json`; seconds, versions and "
        f"the machine are on the [results page]({link})."
    )
    return f"{lead}\n\n{page_table(shown)}"


def splice(text, block, where="the page"):
    """``text`` with everything between the two markers replaced by ``block``.

    Args:
        text: a page's Markdown.
        block: what goes between its markers.
        where: how the error message names the page.

    Returns:
        The new text.

    Raises:
        InputError: ``text`` lacks one start marker followed by one end marker.
    """
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise InputError(f"{where} needs one {START} line followed by one {END} line")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def write_docs(docs, entries, pending):
    """Write ``docs/results.md`` and the figures of every page of ``PAGES`` that exists.

    Args:
        docs: the documentation folder (made if absent).
        entries: the entries of ``results.json``.
        pending: as ``block``'s.

    Returns:
        The paths written.

    Raises:
        InputError: a page of ``PAGES`` lacks its markers (nothing is written then).
    """
    docs = Path(docs)
    texts = {docs / RESULTS_PAGE: results_md(entries, pending)}
    for page, recipes in PAGES.items():
        path = docs / page
        if path.exists():
            text = path.read_text("utf-8")
            texts[path] = splice(text, page_block(entries, recipes, page), str(path))
    docs.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    return list(texts)
