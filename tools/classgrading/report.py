"""The instructor's grade report: one self-contained HTML page with matplotlib figures.

Per assignment: the distribution of autograded scores, the pass rate of every
test cell (a broken or very hard exercise shows up as a short bar), the most
common failure messages (numbers folded, so "got 3" and "got 4" count as one),
and the submissions that need a look (not gradable, time-outs, dead kernels,
tampering, renamed notebooks). Figures are embedded as PNG data URIs, so the
page can be mailed or archived as one file.
"""

import base64
from collections import Counter, defaultdict
import html
import io
import re

from .outcomes import notebook_outcome
from .text import safe

NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


def _figure_uri(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _score_histogram(assignment_id, totals, max_score):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3))
    bins = max(5, min(20, int(max_score) + 1))
    ax.hist(totals, bins=bins, range=(0, max_score), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"autograded points (of {max_score:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"{assignment_id}: score distribution")
    return _figure_uri(fig)


def _pass_rates(assignment_id, rates):
    import matplotlib.pyplot as plt

    names = list(rates)
    fig, ax = plt.subplots(figsize=(6.5, 0.28 * len(names) + 1))
    values = [100 * rates[name] for name in names]
    colors = ["#c44e52" if v < 50 else "#dd8452" if v < 80 else "#55a868" for v in values]
    ax.barh(names, values, color=colors)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions passing")
    ax.set_title(f"{assignment_id}: pass rate per test cell")
    ax.tick_params(axis="y", labelsize=8)
    return _figure_uri(fig)


def _messages_chart(assignment_id, common):
    import matplotlib.pyplot as plt

    labels = [safe(text, limit=57) for text, _ in common]
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(labels) + 1))
    ax.barh(labels, [count for _, count in common], color="#8172b3")
    ax.invert_yaxis()
    ax.set_xlabel("test cells failing with this message")
    ax.set_title(f"{assignment_id}: most common failure messages")
    ax.tick_params(axis="y", labelsize=7)
    return _figure_uri(fig)


def build_report(gradebook, course_root, assignment_ids, results=()):
    """The HTML text of the report for ``assignment_ids`` (``results`` of this run add the events).

    Any text in it may come from a submission: figures draw it literally (no mathtext, control characters
    escaped) and the page escapes it; an assignment whose section fails says so instead of stopping the rest.
    """
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams.update({"text.parse_math": False, "text.usetex": False})

    by_submission = {(r["assignment"], r["student"]): r for r in results}
    sections = []
    for assignment_id in assignment_ids:
        try:
            sections.append(_section(gradebook, course_root, assignment_id, by_submission))
        except Exception as error:
            sections.append(f"<section><h2>{html.escape(assignment_id)}</h2><p>This section could not be built: "
                            f"<code>{html.escape(safe(repr(error)))}</code></p></section>")
    return _page(sections)


def _section(gradebook, course_root, assignment_id, by_submission):
    assignment = gradebook.find_assignment(assignment_id)
    submissions = sorted(gradebook.assignment_submissions(assignment_id), key=lambda s: s.student_id)
    if not submissions:
        return ""
    totals, passes, attempts = [], Counter(), Counter()
    messages, message_cells, examples = Counter(), defaultdict(set), {}
    max_score = 0.0
    for submission in submissions:
        total = 0.0
        max_score = 0.0
        for notebook in assignment.notebooks:
            outcome = notebook_outcome(gradebook, course_root, assignment_id, submission.student_id,
                                       notebook.name)
            for cell in outcome.cells:
                if cell.kind == "written answer":
                    continue
                max_score += cell.max_score
                total += cell.score or 0
                attempts[cell.name] += 1
                if cell.score is not None and cell.score >= cell.max_score:
                    passes[cell.name] += 1
                elif cell.message:
                    key = NUMBER.sub("#", cell.message.splitlines()[0])[:200]
                    messages[key] += 1
                    message_cells[key].add(cell.name)
                    examples.setdefault(key, cell.message)
        totals.append(total)
    rates = {name: passes[name] / attempts[name] for name in attempts}
    common = messages.most_common(12)
    n = len(totals)
    mean = sum(totals) / n
    ordered = sorted(totals)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    attention = []
    for submission in submissions:
        result = by_submission.get((assignment_id, submission.student_id))
        if not result:
            continue
        items = ([f"not gradable: {result['reason']}"] if result["status"] == "failed" else []) + \
            list(result["notes"]) + [f"{e['kind']} in {e['cell']}" + (f": {e['detail']}" if e["detail"] else "")
                                     for e in result["events"]]
        if items:
            attention.append((submission.student_id, items))
    hard = [name for name, rate in rates.items() if rate < 0.5]
    message_rows = "".join(
        f"<tr><td>{count}</td><td><code>{html.escape(safe(examples[key]))}</code></td>"
        f"<td>{html.escape(', '.join(sorted(message_cells[key])))}</td></tr>" for key, count in common)
    attention_rows = "".join(
        f"<tr><td>{html.escape(safe(student))}</td><td>{'<br>'.join(html.escape(safe(i)) for i in items)}</td></tr>"
        for student, items in attention)
    figures = [_score_histogram(assignment_id, totals, max_score), _pass_rates(assignment_id, rates)]
    if common:
        figures.append(_messages_chart(assignment_id, common))
    alts = [f"Histogram of the autograded points of {assignment_id}'s {n} submissions",
            f"Bar chart of the share of submissions passing each test cell of {assignment_id}",
            f"Bar chart of the most common failure messages of {assignment_id}"]
    images = "".join(f"<img src='{uri}' alt='{html.escape(alt)}'>" for uri, alt in zip(figures, alts))
    return (f"""
<section><h2>{html.escape(assignment_id)}</h2>
<p>{n} submissions; autograded points: mean {mean:.2f}, median {median:g}, min {min(totals):g},
max {max(totals):g} of {max_score:g}.
{('Test cells passed by fewer than half of the class: <b>' + html.escape(', '.join(hard)) + '</b>.') if hard else ''}</p>
<div class="figs">{images}</div>
<h3>Most common failure messages</h3>
<table><thead><tr><th>count</th><th>message (one example)</th><th>test cells</th></tr></thead>
<tbody>{message_rows or '<tr><td colspan=3>none</td></tr>'}</tbody></table>
<h3>Submissions that need a look</h3>
<table><thead><tr><th>student</th><th>what happened</th></tr></thead>
<tbody>{attention_rows or '<tr><td colspan=2>none</td></tr>'}</tbody></table>
</section>""")


def _page(sections):
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grade report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
code {{ white-space: pre-wrap; }} img {{ max-width: 100%; margin: .5rem 0; display: block; }}
</style></head>
<body><h1>Grade report</h1>
<p>Autograded points only (written answers are graded by hand in the formgrader). Pass rate: the share of
submissions earning all points of a test cell; red bars (under 50%) point at a hard or broken exercise.</p>
{''.join(sections) or '<p>No submissions.</p>'}
</body></html>
"""
