"""Every autograded exercise tests exactly what its text asks (see tests/grading/exercises.py).

For each exercise of each notebook, from its requirements table in ``variants/``:

* every quoted requirement and context fragment occurs verbatim in the exercise's text, and together they
  cover the whole text (a sentence that asks something cannot go untested);
* every requirement names at least one check of the exercise's test cells and one wrong variant that breaks
  it, and those exist;
* every check of the exercise's test cells is named by some requirement (no check without a sentence);
* there are at least two alternative correct answers (graded to full points by the round trip).

The last test proves the validation can fail: it removes a sentence and a check and sees both reported.
"""

import pytest

from tests.grading.course import (ROOT, alternatives_for, build_notebooks, cells_by_id, exercise_data,
                                  exercise_of, is_autograded_test, variants_for)
from tests.grading.exercises import check_keys, uncovered_text

ASSIGNMENTS = build_notebooks.assignments()


def solution(assignment_id):
    import nbformat
    return nbformat.read(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)


def problems(nb, module):
    """Everything wrong with one notebook's requirements tables, as sentences (empty: all good)."""
    found = []
    cells = cells_by_id(nb)
    tests_of = {}
    for gid, cell in cells.items():
        if is_autograded_test(cell):
            tests_of.setdefault(exercise_of(gid), []).append(cell)
    requirements = getattr(module, "REQUIREMENTS", {})
    context = getattr(module, "CONTEXT", {})
    variants = getattr(module, "VARIANTS", [])
    alternatives = getattr(module, "ALTERNATIVES", [])
    for exercise, test_cells in tests_of.items():
        text_cell = cells.get(f"{exercise}_text")
        if text_cell is None:
            found.append(f"{exercise}: no text cell {exercise}_text")
            continue
        text = text_cell.source
        table = requirements.get(exercise)
        if not table:
            found.append(f"{exercise}: no requirements table")
            continue
        keys = []
        for cell in test_cells:
            try:
                keys += check_keys(cell.source)
            except (ValueError, SyntaxError) as error:
                found.append(f"{exercise}: {cell.metadata['nbgrader']['grade_id']}: {error}")
        whys = {v.why for v in variants if exercise_of(v.cell) == exercise}
        named = set()
        for requirement in table:
            if requirement.text not in text:
                found.append(f"{exercise}: the requirement {requirement.text!r} is not in the exercise's text")
            if not requirement.checks:
                found.append(f"{exercise}: the requirement {requirement.text!r} has no check")
            if not requirement.variants:
                found.append(f"{exercise}: no wrong variant breaks the requirement {requirement.text!r}")
            for key in requirement.checks:
                if key not in keys:
                    found.append(f"{exercise}: the check {key!r} (for {requirement.text!r}) is not in the test "
                                 f"cells; their checks are {sorted(set(keys))}")
                named.add(key)
            for why in requirement.variants:
                if why not in whys:
                    found.append(f"{exercise}: no wrong variant of this exercise is called {why!r}")
        for key in dict.fromkeys(keys):
            if key not in named:
                found.append(f"{exercise}: the check {key!r} enforces no sentence of the text")
        fragments = [r.text for r in table] + list(context.get(exercise, []))
        for fragment in context.get(exercise, []):
            if fragment not in text:
                found.append(f"{exercise}: the context {fragment!r} is not in the exercise's text")
        rest = uncovered_text(text, fragments)
        if rest:
            found.append(f"{exercise}: words of the text in no requirement and no context: {rest!r}")
        n_alternatives = sum(exercise_of(a.cell) == exercise for a in alternatives)
        if n_alternatives < 2:
            found.append(f"{exercise}: {n_alternatives} alternative correct answers (at least 2 are needed)")
    for exercise in requirements:
        if exercise not in tests_of:
            found.append(f"{exercise}: a requirements table for an exercise without test cells")
    return found


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_sentence_has_a_check_and_every_check_a_sentence(assignment_id):
    found = problems(solution(assignment_id), exercise_data(assignment_id))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_alternatives_and_variants_name_existing_answer_cells(assignment_id):
    nb = solution(assignment_id)
    answers = {gid for gid, cell in cells_by_id(nb).items() if cell.metadata["nbgrader"].get("solution")}
    for item in variants_for(assignment_id) + alternatives_for(assignment_id):
        assert item.cell in answers, f"{item.why!r} names {item.cell!r}, which is not an answer cell"
        for old in item.replace:
            assert old in cells_by_id(nb)[item.cell].source, f"{item.why!r}: {old!r} is not in {item.cell}"


def without_check(source, key):
    """``source`` with the statement that holds the check ``key`` replaced by ``pass``."""
    import ast

    from tests.grading.exercises import python_source

    class Remove(ast.NodeTransformer):
        def generic_visit(self, node):
            node = super().generic_visit(node)
            if isinstance(node, ast.With) and key.startswith("forbid ") and \
                    any("check.forbid" in ast.unparse(item.context_expr) and
                        key[len("forbid "):].split(",")[0] in ast.unparse(item.context_expr) for item in node.items):
                return node.body                    # the forbid removed, its block kept
            if isinstance(node, ast.stmt) and not isinstance(node, (ast.For, ast.With, ast.If, ast.FunctionDef,
                                                                     ast.Try)):
                segment = ast.unparse(node)
                if key.split("{")[0] in segment and "check." in segment:
                    return ast.Pass()
            return node

    return ast.unparse(Remove().visit(ast.parse(python_source(source))))


def test_the_validation_notices_a_removed_sentence_and_a_removed_check():
    import types

    import nbformat

    assignment_id = ASSIGNMENTS[0]
    nb = solution(assignment_id)
    module = exercise_data(assignment_id)
    exercise, table = next(iter(module.REQUIREMENTS.items()))
    assert not [p for p in problems(nb, module) if p.startswith(exercise + ":")]

    without_sentence = nbformat.from_dict(nb)
    text_cell = cells_by_id(without_sentence)[f"{exercise}_text"]
    text_cell.source = text_cell.source.replace(table[0].text, "")
    assert any("is not in the exercise's text" in p for p in problems(without_sentence, module))

    key = table[0].checks[0]
    removed = nbformat.from_dict(nb)
    for gid, cell in cells_by_id(removed).items():
        if exercise_of(gid) == exercise and gid != f"{exercise}_text" and key in check_keys(cell.source):
            cell.source = without_check(cell.source, key)
            assert key not in check_keys(cell.source)
    found = problems(removed, module)
    assert any(f"the check {key!r}" in p and "is not in the test cells" in p for p in found), found

    extra_sentence = nbformat.from_dict(nb)
    text_cell = cells_by_id(extra_sentence)[f"{exercise}_text"]
    text_cell.source += "\nReturn the answer in reverse order."
    assert any("in no requirement and no context" in p for p in problems(extra_sentence, module))

    unchecked = types.SimpleNamespace(**{name: getattr(module, name) for name in dir(module)
                                         if name.isupper()})
    unchecked.REQUIREMENTS = dict(module.REQUIREMENTS)
    unchecked.REQUIREMENTS[exercise] = table[1:]
    found = problems(nb, unchecked)
    assert any("enforces no sentence" in p or "in no requirement" in p for p in found), found
