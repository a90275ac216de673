"""The course as a student meets it: JupyterLab in Chromium (issue 10).

A private JupyterLab server (see conftest.py) serves copies of the student notebooks from ``notebooks/`` in a
temporary folder; Playwright drives Debian's Chromium against it.

* Every student notebook (discovered in ``notebooks/``, so new ones join automatically) is opened and all its
  cells are run. JupyterLab's *Run All* stops at the first error (the kernel aborts the cells queued behind
  it), and an untouched student notebook has one error per exercise; so the test runs the cells one at a time
  (click, Ctrl+Enter, wait for the prompt's execution count), as a student stepping through the notebook
  would, and the run goes on past every stub. The saved notebook must then show every code cell executed,
  no output on stderr, and no error other than the stubs' ``NotImplementedError`` with nbgrader's helpful
  message, or a ``NameError`` for a name that an unanswered exercise is asking for. Figures and widgets must
  be rendered.
* In notebook 01 a student types the solution of one exercise, runs its visible test and sees it pass, then
  types a typical wrong answer (from ``tests/grading/variants/``) and sees the helpful message; moves a slider
  and sees the figure change; and clicks nbgrader's *Validate*, whose report must name the unanswered
  exercises' tests and not the answered one.

Screenshots of each step go to ``test-artifacts/browser/`` (git-ignored), so a person can see what a student
sees.
"""

import ast
import re
import shutil
from urllib.parse import quote

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from tests.browser.conftest import ARTIFACTS, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = sorted(path.relative_to(ROOT / "notebooks") for path in (ROOT / "notebooks").glob("*/*.ipynb"))

# Notebook 01's exercise the student answers, and the typical mistake typed afterwards (one of the wrong
# variants of the grading round trip) with a phrase its failure message must contain.
WORKFLOW_NOTEBOOK = "01_eigendecomposition"
WORKFLOW_EXERCISE = "nb01_ex4"
WORKFLOW_MISTAKE = "returns eigenvectors as rows (transposed)"
WORKFLOW_HINT = "The vectors should be the columns; yours are the rows."

CELL_TIMEOUT = 120  # seconds per cell, as nbgrader's Execute.timeout in nbgrader_config.py
RUN_CELL_DONE = """([prompt, before]) => {
    const text = prompt.textContent.trim();
    return /^\\[\\d+\\]:$/.test(text) && text !== before;
}"""


def stub_message():
    """The message of nbgrader's stub, read from the course's nbgrader_config.py."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    stub = config.ClearSolutions.code_stub["python"]
    return re.search(r'raise NotImplementedError\("(.+)"\)', stub).group(1)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solution_notebook(relative):
    return nbformat.read(ROOT / "solutions" / relative, as_version=4)


def solution_code(cell):
    """What a student writes: the solution cell without nbgrader's solution markers."""
    lines = [line for line in cell.source.splitlines()
             if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(lines)


def names_defined(source):
    """Top-level names an answer cell defines (functions, classes, variables, imports)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def unexpected_problems(student, solution, stub):
    """Everything in an executed student notebook that is not an unanswered exercise."""
    answers = {grade_id(cell): cell for cell in solution.cells
               if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")}
    unanswered_names = set()
    problems = []
    for number, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        label = f"cell {number} ({grade_id(cell) or cell.get('id')})"
        if cell.execution_count is None:
            problems.append(f"{label} was not executed")
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(f"{label} wrote to stderr: {output.text[:500]}")
            if output.output_type != "error":
                continue
            if output.ename == "NotImplementedError" and output.evalue == stub:
                if grade_id(cell) in answers:  # a stub at the top level of the cell: its names stay undefined
                    unanswered_names |= names_defined(solution_code(answers[grade_id(cell)]))
                continue
            missing = re.fullmatch(r"name '(\w+)' is not defined", output.evalue)
            if output.ename == "NameError" and missing and missing.group(1) in unanswered_names:
                continue
            problems.append(f"{label} raised {output.ename}: {output.evalue[:500]}")
    return problems


def exercise_cell(cell):
    """An answer cell or an autograded test cell (their outputs depend on the student)."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def has_output(cell, mime):
    return any(mime in output.get("data", {}) for output in cell.get("outputs", []))


def failed(cell):
    return any(output.output_type == "error" for output in cell.get("outputs", []))


class Screenshots:
    """Numbered screenshots ``<prefix>-<n>-<step>.png``; older ones with the same prefix are removed first."""

    def __init__(self, page, prefix):
        self.page, self.prefix, self.count = page, prefix, 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{prefix}-*.png"):
            old.unlink()

    def __call__(self, step):
        self.count += 1
        # Let images finish decoding and the layout settle, so the picture shows what a person would see.
        self.page.wait_for_function("() => [...document.images].every(image => image.complete)")
        self.page.wait_for_timeout(300)
        path = ARTIFACTS / f"{self.prefix}-{self.count}-{step}.png"
        self.page.screenshot(path=str(path))
        return path


class NotebookInLab:
    """One notebook open in JupyterLab, driven with the mouse and keyboard as a student would."""

    def __init__(self, page, lab, path):
        self.page, self.lab, self.path = page, lab, path
        self.relative = path.relative_to(lab.root_dir).as_posix()
        # The visible notebook only (hidden tabs would hold cells too).
        self.cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-cell")

    def open(self):
        from playwright.sync_api import expect

        # A workspace of its own, so that JupyterLab does not restore documents an earlier test opened.
        workspace = re.sub(r"[^A-Za-z0-9_-]", "-", self.relative)
        self.page.goto(self.lab.url(f"lab/workspaces/{workspace}/tree/{quote(self.relative)}"))
        self.model = nbformat.read(self.path, as_version=4)
        expect(self.cells).to_have_count(len(self.model.cells), timeout=90_000)
        self.wait_for_idle_kernel()
        return self

    def wait_for_idle_kernel(self, timeout=90):
        from playwright.sync_api import expect

        kernel = self.model.metadata.kernelspec.display_name  # "No Kernel | Idle" must not count
        expect(self.page.locator(".jp-StatusBar-TextItem", has_text=f"{kernel} | Idle")).to_have_count(
            1, timeout=timeout * 1000)

    def index(self, wanted_grade_id):
        for number, cell in enumerate(self.model.cells):
            if grade_id(cell) == wanted_grade_id:
                return number
        raise LookupError(f"{self.relative} has no cell {wanted_grade_id}")

    def code_cells(self):
        return [number for number, cell in enumerate(self.model.cells) if cell.cell_type == "code"]

    def run_cell(self, number, timeout=CELL_TIMEOUT):
        """Select the cell, press Ctrl+Enter, and wait until its prompt shows a new execution count."""
        prompt = self.cells.nth(number).locator(".jp-InputArea-prompt")
        before = prompt.inner_text().strip()
        prompt.click()
        self.page.keyboard.press("Control+Enter")
        self.page.wait_for_function(RUN_CELL_DONE, arg=[prompt.element_handle(), before], timeout=timeout * 1000)

    def run_all_one_by_one(self):
        """Shift+Enter from the first cell to the last, waiting for each code cell to finish."""
        last_code_cell = self.code_cells()[-1]
        self.cells.nth(0).locator(".jp-InputArea-prompt").click()
        for number, cell in enumerate(self.model.cells[: last_code_cell + 1]):
            if cell.cell_type != "code":
                self.page.keyboard.press("Shift+Enter")  # a rendered Markdown cell: on to the next one
                continue
            prompt = self.cells.nth(number).locator(".jp-InputArea-prompt")
            before = prompt.inner_text().strip()
            self.page.keyboard.press("Shift+Enter")
            self.page.wait_for_function(RUN_CELL_DONE, arg=[prompt.element_handle(), before],
                                        timeout=CELL_TIMEOUT * 1000)

    def type_into(self, number, text):
        """Replace the cell's text by ``text``, typed into its editor (inserted as typed, without auto-indent)."""
        editor = self.cells.nth(number).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)
        typed = editor.inner_text()
        assert [line.rstrip() for line in typed.splitlines()] == [line.rstrip() for line in text.splitlines()], (
            f"the editor holds\n{typed}\ninstead of\n{text}")
        self.page.keyboard.press("Escape")

    def output(self, number):
        return self.cells.nth(number).locator(".jp-Cell-outputArea")

    def scroll_to(self, number, where="start"):
        self.cells.nth(number).evaluate(f"cell => cell.scrollIntoView({{block: '{where}'}})")

    def save(self):
        from playwright.sync_api import expect

        written_before = self.path.stat().st_mtime_ns
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+S")
        expect(self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(
            0, timeout=30_000)
        # The clean tab says a save finished; the file's new time says it was this one (autosave is off).
        assert self.path.stat().st_mtime_ns != written_before, f"Ctrl+S did not write {self.relative}"
        return nbformat.read(self.path, as_version=4)


def copy_notebook(lab, relative, folder):
    """A fresh copy of a student notebook in the server's folder, under ``folder`` (one per test)."""
    target = lab.root_dir / folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "notebooks" / relative, target)
    return target


@pytest.mark.parametrize("relative", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_student_notebook_runs_in_jupyterlab(page, jupyterlab, relative):
    from playwright.sync_api import expect

    stub = stub_message()
    solution = solution_notebook(relative)
    shot = Screenshots(page, f"{relative.stem}-run")
    notebook = NotebookInLab(page, jupyterlab, copy_notebook(jupyterlab, relative, "run_all")).open()
    shot("opened")

    notebook.run_all_one_by_one()
    executed = notebook.save()
    problems = unexpected_problems(executed, solution, stub)
    assert not problems, "a student running the untouched notebook meets:\n" + "\n".join(problems)

    # Every figure of the solution outside the exercises appears for the student too (where its cell ran).
    solution_cells = {cell.id: cell for cell in solution.cells}
    figure_cells = [number for number, mine in enumerate(executed.cells)
                    if mine.cell_type == "code" and not exercise_cell(mine) and not failed(mine)
                    and has_output(solution_cells.get(mine.id, {}), "image/png")
                    and not has_output(solution_cells[mine.id], "application/vnd.jupyter.widget-view+json")]
    missing = [number for number in figure_cells if not has_output(executed.cells[number], "image/png")]
    assert not missing, f"cells {missing} draw a figure in the solution but not in the student's run"
    for number in figure_cells:
        expect(notebook.output(number).locator("img")).not_to_have_count(0)
    if figure_cells:
        notebook.scroll_to(figure_cells[0])
        shot("figure")

    # Every widget is rendered by the widget manager (not "Error displaying widget" or its text fallback).
    widget_cells = [number for number, cell in enumerate(executed.cells)
                    if has_output(cell, "application/vnd.jupyter.widget-view+json")]
    assert widget_cells, "the notebook shows no ipywidgets control"
    for number in widget_cells:
        expect(notebook.output(number).locator(".jupyter-widgets").first).to_be_visible(timeout=30_000)
        expect(notebook.output(number)).not_to_contain_text("Error displaying widget")
    notebook.scroll_to(widget_cells[0])
    shot("widget")

    # The first exercise stub, as the student sees it: nbgrader's message under the visible test.
    stub_cells = [number for number, cell in enumerate(executed.cells)
                  if any(output.get("ename") == "NotImplementedError" for output in cell.get("outputs", []))]
    if stub_cells:
        expect(notebook.output(stub_cells[0])).to_contain_text(f"NotImplementedError: {stub}")
        notebook.scroll_to(stub_cells[0], "center")
        shot("exercise-stub")


def test_student_answers_an_exercise_moves_a_widget_and_validates(page, jupyterlab):
    from playwright.sync_api import expect

    from tests.grading.course import variants_for

    relative = next(path for path in NOTEBOOKS if path.stem == WORKFLOW_NOTEBOOK)
    solution = solution_notebook(relative)
    shot = Screenshots(page, f"{WORKFLOW_NOTEBOOK}-student")
    notebook = NotebookInLab(page, jupyterlab, copy_notebook(jupyterlab, relative, "student")).open()
    notebook.run_all_one_by_one()

    # 1. The solution of one exercise, typed into its answer cell: the visible test passes.
    answer, visible = notebook.index(f"{WORKFLOW_EXERCISE}_answer"), notebook.index(f"{WORKFLOW_EXERCISE}_visible")
    correct = solution_code(solution.cells[answer])
    notebook.type_into(answer, correct)
    notebook.run_cell(answer)
    notebook.run_cell(visible)
    expect(notebook.output(visible)).to_contain_text("Visible tests passed.")
    expect(notebook.output(visible).locator("[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
    notebook.scroll_to(answer)
    shot("correct-answer-passes")

    # 2. A typical mistake: the visible test fails with a message that says what is wrong.
    mistake = [variant for variant in variants_for(WORKFLOW_NOTEBOOK)
               if variant.cell == f"{WORKFLOW_EXERCISE}_answer" and variant.why == WORKFLOW_MISTAKE]
    assert mistake, f"tests/grading/variants/ no longer has the mistake {WORKFLOW_MISTAKE!r}; pick another one"
    wrong = correct
    for old, new in mistake[0].replace.items():
        assert old in wrong, f"the wrong variant's text {old!r} is not in the solution of {WORKFLOW_EXERCISE}"
        wrong = wrong.replace(old, new)
    notebook.type_into(answer, wrong)
    notebook.run_cell(answer)
    notebook.run_cell(visible)
    expect(notebook.output(visible)).to_contain_text("AssertionError")
    expect(notebook.output(visible)).to_contain_text(WORKFLOW_HINT)
    expect(notebook.output(visible).locator("[data-mime-type='application/vnd.jupyter.stdout']")).to_have_count(0)
    notebook.scroll_to(visible, "end")  # the end of the traceback: the message a student reads
    shot("wrong-answer-explained")

    # Back to the right answer, which the validation below must then find.
    notebook.type_into(answer, correct)
    notebook.run_cell(answer)
    notebook.run_cell(visible)
    expect(notebook.output(visible)).to_contain_text("Visible tests passed.")

    # 3. A slider moved with the mouse: its value and the figure it drives change.
    slider_cell = next(number for number in notebook.code_cells()
                       if notebook.output(number).locator(".widget-slider").count())
    widget = notebook.output(slider_cell)
    readout, figure = widget.locator(".widget-readout").first, widget.locator("img").first
    expect(figure).to_be_visible()
    notebook.scroll_to(slider_cell)
    value_before, figure_before = readout.inner_text(), figure.get_attribute("src")
    shot("widget-before")
    handle = widget.locator(".widget-slider .noUi-handle").first
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    expect(readout).not_to_have_text(value_before)
    notebook.wait_for_idle_kernel()
    # The figure is redrawn (a new image replaces the old one in the widget's output).
    expect(figure).to_be_visible()
    expect(figure).not_to_have_attribute("src", figure_before)
    shot("widget-after")

    # 4. nbgrader's Validate button: the unanswered exercises fail, the answered one does not.
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
    report = page.locator(".jp-Dialog #validation-message")
    expect(report).to_be_visible(timeout=240_000)
    shot("validate")
    text = report.inner_text()
    assert "validation-failed" in (report.get_attribute("class") or ""), f"unexpected validation report:\n{text}"
    first_line = {grade_id(cell): cell.source.splitlines()[0] for cell in notebook.model.cells
                  if (grade_id(cell) or "").endswith("_visible")}
    assert first_line[f"{WORKFLOW_EXERCISE}_visible"] not in text, "the answered exercise is reported as failing"
    unanswered = [key for key in first_line if key != f"{WORKFLOW_EXERCISE}_visible"]
    not_reported = [key for key in unanswered if first_line[key] not in text]
    assert not not_reported, f"validation does not report the unanswered {not_reported}:\n{text}"
    assert "NotImplementedError" in text
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    expect(report).to_have_count(0)
