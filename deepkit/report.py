"""Plain-text tables for results printed by recipes, benchmarks and the CLI."""

import numpy as np


def format_table(rows, title=None):
    """Two aligned columns, ``name  value``, under an optional title."""
    rows = [(str(name), str(value)) for name, value in rows]
    width = max((len(name) for name, _ in rows), default=0)
    lines = [title, "-" * len(title)] if title else []
    for name, value in rows:
        value_lines = value.splitlines() or [""]
        lines.append(f"{name:<{width}}  {value_lines[0]}")
        lines.extend(f"{'':<{width}}  {more}" for more in value_lines[1:])
    return "\n".join(lines)


def format_grid(header, rows, title=None):
    """A table with a header row; cells are right-aligned except the first."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        first = f"{row[0]:<{widths[0]}}"
        rest = [f"{c:>{w}}" for c, w in zip(row[1:], widths[1:])]
        return "  ".join([first] + rest)

    lines = [title, "-" * len(title)] if title else []
    lines.append(line(cells[0]))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(line(row) for row in cells[1:])
    return "\n".join(lines)


def format_confusion_matrix(matrix, labels):
    """A confusion matrix with rows = true class and columns = predicted."""
    matrix = np.asarray(matrix)
    header = ["true \\ predicted"] + list(labels)
    rows = [[label] + list(row) for label, row in zip(labels, matrix)]
    return format_grid(header, rows)
