"""A griffe extension for the documentation build: one Args entry that names several
parameters becomes one entry per parameter.

deepkit's docstrings group parameters that share a description::

    Args:
        x, y: the training arrays.
        x, y, epochs, batch_size, validation_data, patience, monitor, verbose:
            as ``fit``.
        beta_initializer, gamma_initializer,
        moving_variance_initializer: initializers.

Google style (griffe's parser) reads one name per entry, so it would warn that a
parameter "x, y" is not in the signature, or fail to find the "name: description" pair
when a long list of names wraps. Before the docstrings are parsed, this extension
rewrites each grouped entry as one entry per name with the shared description. Each name
is then checked against the signature like any other (``warn_unknown_params``), so a
misspelt name still fails the strict build.
"""

import re

import griffe

SECTIONS = ("args", "arguments", "params", "parameters", "other parameters")
NAMES = re.compile(r"^\*{0,2}\w+(\s*,\s*\*{0,2}\w+)+$")


def _indent(line):
    return len(line) - len(line.lstrip())


def _split(lines, start, item_indent):
    """The entry starting at ``lines[start]``: (its lines, the index after it)."""
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > item_indent):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], end


def _expand(entry, item_indent):
    """``entry``'s lines, one entry per name when it names several; else unchanged."""
    text = "\n".join(entry)
    if ":" not in text:
        return entry
    head, description = text.split(":", 1)
    head = " ".join(head.split())
    if not NAMES.match(head):
        return entry
    first, *rest = description.split("\n")
    body = [first.strip()] if first.strip() else []
    continuation = [line for line in rest if line.strip()]
    indent = " " * (item_indent + 4)
    if continuation:
        shift = min(_indent(line) for line in continuation)
        body += [line[shift:] for line in rest]
    out = []
    for name in (n.strip() for n in head.split(",")):
        out.append(" " * item_indent + f"{name}: {body[0] if body else ''}".rstrip())
        out += [indent + line if line.strip() else "" for line in body[1:]]
    return out


def expand_grouped_parameters(text):
    """``text`` (a docstring) with every grouped parameter entry expanded."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if line.strip().rstrip(":").lower() not in SECTIONS or not line.strip().endswith(":"):
            continue
        section_indent = _indent(line)
        while i < len(lines) and not lines[i].strip():
            out.append(lines[i])
            i += 1
        if i == len(lines) or _indent(lines[i]) <= section_indent:
            continue
        item_indent = _indent(lines[i])
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) == item_indent:
            entry, i = _split(lines, i, item_indent)
            # a list of names wrapped at the entries' own indent: "a, b,\n c: ..."
            while ":" not in "".join(entry) and entry[-1].rstrip().endswith(","):
                if i == len(lines) or _indent(lines[i]) != item_indent:
                    break
                more, i = _split(lines, i, item_indent)
                entry += more
            out += _expand(entry, item_indent)
    return "\n".join(out)


class GroupedParameters(griffe.Extension):
    """Expand grouped parameter entries in every function's and class's docstring."""

    def on_object(self, *, obj, loader, **kwargs):
        if obj.is_alias or obj.docstring is None or not (obj.is_function or obj.is_class):
            return
        value = obj.docstring.value
        if isinstance(value, str):
            obj.docstring.value = expand_grouped_parameters(value)
