"""Feedback for students: each test's points and failure message, never the hidden test source.

nbgrader's ``generate_feedback`` renders the whole autograded notebook, hidden
test cells included. This page shows, per graded cell, its points and -- for a
failed test -- the one-line failure message (``AssertionError: expected shape
(150, 2), got (2, 150): did you transpose?``), with any line of hidden test code
redacted. It is written where nbgrader puts feedback:
``feedback/<student>/<assignment>/<notebook>.html``.
"""

import html
from pathlib import Path

from .outcomes import notebook_outcome

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
td.points { white-space: nowrap; text-align: right; }
tr.fail td.points { color: #b00020; font-weight: bold; }
tr.pass td.points { color: #1b7f3b; }
code { white-space: pre-wrap; }
.note { background: #fff6d5; padding: .5rem .75rem; border-left: 4px solid #e0b000; }
"""


def _points(value):
    return "-" if value is None else f"{value:g}"


def render(outcome, notes=()):
    rows = []
    for cell in outcome.cells:
        if cell.kind == "written answer":
            status = "graded by hand" if cell.score is not None else "not graded yet"
            css = ""
        else:
            passed = cell.score is not None and cell.score >= cell.max_score
            status = "passed" if passed else (html.escape(cell.message) if cell.message else "failed")
            status = status if passed else f"<code>{status}</code>"
            css = "pass" if passed else "fail"
        rows.append(f"<tr class='{css}'><td>{html.escape(cell.name)}</td><td>{cell.kind}</td>"
                    f"<td class='points'>{_points(cell.score)} / {cell.max_score:g}</td><td>{status}</td></tr>")
    note_html = "".join(f"<p class='note'>{html.escape(note)}</p>" for note in notes)
    title = f"{outcome.assignment}: feedback for {outcome.student}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>Notebook <b>{html.escape(outcome.notebook)}.ipynb</b>: <b>{outcome.score:g} / {outcome.max_score:g}</b> points
(written answers count once they are graded by hand).</p>
{note_html}
<p>Each graded cell with its points. A failed test shows its message; hidden tests run on random and edge
cases, so test your code beyond the visible example.</p>
<table><thead><tr><th>cell</th><th>kind</th><th>points</th><th>result</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""


def write_feedback(gradebook, course_root, assignment_id, student_id, notes=()):
    """Write the feedback pages of one submission; returns their paths."""
    paths = []
    assignment = gradebook.find_assignment(assignment_id)
    folder = Path(course_root) / "feedback" / student_id / assignment_id
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in assignment.notebooks:
        outcome = notebook_outcome(gradebook, course_root, assignment_id, student_id, notebook.name)
        path = folder / f"{notebook.name}.html"
        path.write_text(render(outcome, notes))
        paths.append(path)
    return paths
