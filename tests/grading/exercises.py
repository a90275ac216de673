"""What each exercise asks, as data: its requirements table and its differently written correct answers.

Every notebook's module in ``variants/`` holds, beside ``VARIANTS`` (typical wrong answers):

* ``REQUIREMENTS``: ``{exercise: [Requirement(...), ...]}``. Each requirement quotes, verbatim, the words
  of the exercise text that ask something, and names the checks that enforce them (by their *check key*,
  see :func:`check_keys`) and the wrong variants (by their ``why``) that break them;
* ``CONTEXT``: ``{exercise: ["...", ...]}``, the other words of the exercise text (heading, explanation,
  advice). Requirements and context together must cover the whole text;
* ``ALTERNATIVES``: differently written correct answers (loops instead of broadcasting, another allowed
  routine, another valid sign or order), which must earn full points.

``tests/grading/test_requirements.py`` checks the tables against the notebooks (a sentence with no check,
a check with no sentence, a quoted sentence or a named check that no longer exists, a requirement no
wrong variant breaks: each fails), and the grading round trip grades the alternatives.

A *check key* names one check in a test cell: the text of its ``name=`` argument as written (an f-string
keeps its ``{...}`` fields: ``diag_matvec with n={_n}``); ``check.forbid("numpy.linalg.inv", ...)`` is
``forbid numpy.linalg.inv, ...``; ``raise AssertionError("...")`` is its message.
"""

import ast
from dataclasses import dataclass, field
import re

from IPython.core.inputtransformer2 import TransformerManager

# check helpers that decide something (the others compute: numerical_gradient, rel_error, format_*, case)
CHECKS = {"is_array", "is_int", "is_float", "shape", "close", "equal", "close_up_to_sign", "close_up_to_rotation",
          "raises", "gradient", "that"}


@dataclass(frozen=True)
class Requirement:
    """A requirement the exercise text states, the checks that enforce it and the wrong answers that break it."""

    text: str                                   # verbatim from the exercise's text cell
    checks: tuple = ()                          # check keys, in the exercise's visible or hidden test cell
    variants: tuple = ()                        # ``why`` of the wrong variants that break it

    def __post_init__(self):
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "variants", tuple(self.variants))


@dataclass(frozen=True)
class Alternative:
    """A differently written correct answer: ``source`` replaces the answer cell ``cell`` whole, or
    ``replace`` maps text of the solution's answer cell to the alternative (as for wrong variants)."""

    cell: str
    why: str
    source: str | None = None
    replace: dict = field(default_factory=dict)


def _literal_text(node):
    """The text of a string literal or f-string as written (``f"n={_n}"`` -> ``n={_n}``), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            else:
                spec = ""
                if value.format_spec is not None:
                    spec = ":" + (_literal_text(value.format_spec) or "")
                parts.append("{" + ast.unparse(value.value) + spec + "}")
        return "".join(parts)
    return None


def python_source(cell_source):
    """A cell's source as plain Python (IPython magics turned into calls)."""
    return TransformerManager().transform_cell(cell_source)


def _is_check_call(node, names):
    func = node.func
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "check"
            and func.attr in names)


def check_keys(cell_source):
    """The check keys of one test cell, in order of appearance (see the module docstring).

    Raises ``ValueError`` for a check whose ``name=`` is missing or not a literal, and for a bare ``assert``
    (which says nothing to a student and vanishes under ``python -O``).
    """
    tree = ast.parse(python_source(cell_source))
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            raise ValueError(f"line {node.lineno}: use a check helper (check.that) rather than a bare assert")
        if isinstance(node, ast.Call) and _is_check_call(node, CHECKS):
            names = [kw.value for kw in node.keywords if kw.arg == "name"]
            if not names and node.func.attr == "gradient" and len(node.args) < 4:
                raise ValueError(f"line {node.lineno}: check.gradient(...) needs name=")
            text = _literal_text(names[0]) if names else None
            if text is None:
                raise ValueError(f"line {node.lineno}: check.{node.func.attr}(...) needs name= as a string "
                                 "literal or f-string")
            keys.append((node.lineno, node.col_offset, text))
        elif isinstance(node, ast.Call) and _is_check_call(node, {"forbid"}):
            names = [_literal_text(a) or ast.unparse(a) for a in node.args]
            keys.append((node.lineno, node.col_offset, "forbid " + ", ".join(names)))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                isinstance(node.exc.func, ast.Name) and node.exc.func.id == "AssertionError":
            text = _literal_text(node.exc.args[0]) if node.exc.args else None
            if text is None:
                raise ValueError(f"line {node.lineno}: raise AssertionError(...) needs a literal message")
            keys.append((node.lineno, node.col_offset, text))
    return [key for _, _, key in sorted(keys)]


def uncovered_text(text, fragments):
    """What is left of ``text`` after removing every fragment: it should hold no word or number."""
    rest = text
    for fragment in sorted(fragments, key=len, reverse=True):
        rest = rest.replace(fragment, " ")
    return re.sub(r"[\s*:;,.()\-–—]+", " ", rest).strip()
