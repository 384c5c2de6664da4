"""Plain-text tables for results printed by recipes, benchmarks and the CLI."""

import numpy as np


def format_table(rows, title=None):
    """Two aligned columns, ``name  value``, under an optional title.

    Args:
        rows: ``(name, value)`` pairs; a value of several lines stays in its column.
        title: a line above the table, underlined, or ``None``.

    Returns:
        The table as one string.

    Example:

    ```python
    print(format_table([("accuracy", "0.8615"), ("ROC AUC", "0.85")], "Churn"))
    # Churn
    # -----
    # accuracy  0.8615
    # ROC AUC   0.85
    ```
    """
    rows = [(str(name), str(value)) for name, value in rows]
    width = max((len(name) for name, _ in rows), default=0)
    lines = [title, "-" * len(title)] if title else []
    for name, value in rows:
        value_lines = value.splitlines() or [""]
        lines.append(f"{name:<{width}}  {value_lines[0]}")
        lines.extend(f"{'':<{width}}  {more}" for more in value_lines[1:])
    return "\n".join(lines)


def format_grid(header, rows, title=None):
    """A table with a header row; cells are right-aligned except the first.

    Args:
        header: the column names.
        rows: the rows, one cell per column (any values; printed with ``str``).
        title: a line above the table, underlined, or ``None``.

    Returns:
        The table as one string.

    Example:

    ```python
    print(format_grid(["model", "accuracy"], [["tutorial", 0.86], ["tuned", 0.87]]))
    # model     accuracy
    # --------  --------
    # tutorial      0.86
    # tuned         0.87
    ```
    """
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
    """A confusion matrix with rows = true class and columns = predicted.

    Args:
        matrix: the counts, one row per true class.
        labels: the class names, in the matrix's order.

    Returns:
        The table as one string.

    Example:

    ```python
    print(format_confusion_matrix([[1500, 93], [184, 223]], ["stays", "leaves"]))
    # true \\ predicted  stays  leaves
    # ----------------  -----  ------
    # stays              1500      93
    # leaves              184     223
    ```
    """
    matrix = np.asarray(matrix)
    header = ["true \\ predicted"] + list(labels)
    rows = [[label] + list(row) for label, row in zip(labels, matrix)]
    return format_grid(header, rows)
