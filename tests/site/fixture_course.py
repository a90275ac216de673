"""A one-chapter course that follows every convention the site's tests check (figures shown with
``plotting.show``, one H1, no skipped heading levels, a colour-blind-safe palette, descriptive links), with an
exercise whose solution and hidden test hold recognisable secret lines.

``make_course(folder)`` writes its solution notebook, executes it (nbclient: real outputs, real alt metadata)
and generates its student version with nbgrader, as tools/build_notebooks.py does for the real course.
"""

import importlib.util
from pathlib import Path
import shutil

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.site.checks import ROOT

CHAPTER = "99_fixture"
SECRET_ANSWER = "fixture_secret_answer = np.asarray(x, dtype=float) ** 2"
SECRET_HIDDEN = 'check.close(square(np.arange(4.0)), np.arange(4.0) ** 2, name="fixture secret hidden case")'
SECRET_WRITTEN = "The fixture's secret written answer says the square of a real number is never negative."
SEARCH_TERM = "parabola"
ALT = ("Line plot of y = x squared for x from -2 to 2, y on the vertical axis; the parabola is lowest at "
       "x = 0 and symmetric about it.")


def _locked(grade_id, **extra):
    return {"nbgrader": {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3,
                         "solution": False, **extra}, "deletable": False, "editable": False}


def solution_notebook():
    cells = [
        new_markdown_cell(
            "# 99 · A conforming chapter\n\n*A test fixture of the course website.*\n\n"
            "**Learning objectives.** After this notebook you can\n\n"
            "1. draw a labelled figure and describe it in words;\n"
            "2. square a number.\n\nThe [course package's plotting helpers](https://matplotlib.org) draw it.",
            metadata=_locked("nb99_title")),
        new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nimport ipywidgets as widgets\n"
                      "from course_utils import plotting\nimport course_utils.checks as check\n\n"
                      "plotting.use_course_style()", metadata=_locked("nb99_setup")),
        new_markdown_cell("## 1 A parabola\n\nThe parabola $y = x^2$ is symmetric.\n\n### A figure\n\n"
                          "The figure says in words what it shows."),
        new_code_cell("x = np.linspace(-2, 2, 41)\nfig, ax = plt.subplots(figsize=(4, 3))\n"
                      "ax.plot(x, x ** 2, color=plt.get_cmap('tab10')(0))\nax.set_xlabel('x')\n"
                      f"ax.set_ylabel('y = x squared')\nplotting.show({ALT!r}, fig)"),
        new_markdown_cell("### Exercise 1: squares (2 points)\n\nWrite `square(x)`, returning the square of every "
                          "entry of the array `x`.", metadata=_locked("nb99_ex1_text")),
        new_code_cell("def square(x):\n    \"\"\"The square of every entry of x.\"\"\"\n    ### BEGIN SOLUTION\n"
                      f"    {SECRET_ANSWER}\n    return fixture_secret_answer\n    ### END SOLUTION",
                      metadata={"nbgrader": {"grade": False, "grade_id": "nb99_ex1_answer", "locked": False,
                                             "schema_version": 3, "solution": True}}),
        new_code_cell("check.close(square(np.array([3.0])), np.array([9.0]), name=\"square([3])\")\n"
                      "print(\"Visible tests passed.\")",
                      metadata=_locked("nb99_ex1_visible", grade=True, points=1.0)),
        new_code_cell("# Hidden tests for this exercise run when your notebook is graded.\n"
                      f"### BEGIN HIDDEN TESTS\n{SECRET_HIDDEN}\n### END HIDDEN TESTS",
                      metadata=_locked("nb99_ex1_hidden", grade=True, points=1.0)),
        new_markdown_cell("### Written answer (1 point, graded by hand)\n\nWhy is a square never negative?",
                          metadata=_locked("nb99_written_text")),
        new_markdown_cell(f"### BEGIN SOLUTION\n{SECRET_WRITTEN}\n### END SOLUTION",
                          metadata={"nbgrader": {"grade": True, "grade_id": "nb99_written_answer", "locked": False,
                                                 "points": 1.0, "schema_version": 3, "solution": True}}),
        new_code_cell("widgets.IntSlider(value=1, min=0, max=3, description='power')"),
        new_markdown_cell("## Summary\n\n* A figure is shown with its description.\n\n## References\n\n"
                          "* [matplotlib's documentation](https://matplotlib.org)."),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                                              "language": "python", "name": "python3"}})


def _build_notebooks_module():
    spec = importlib.util.spec_from_file_location("course_build_notebooks", ROOT / "tools" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_course(folder):
    """Write, execute and release the fixture chapter in ``folder``; return the folder."""
    folder = Path(folder)
    source = folder / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    (folder / "README.md").write_text((ROOT / "README.md").read_text())
    nbformat.write(solution_notebook(), source)
    tools = _build_notebooks_module()
    tools.execute_in_place(source, timeout=120)
    tools.generate([CHAPTER], course_dir=folder, db_path=folder / "gradebook.db")
    return folder
