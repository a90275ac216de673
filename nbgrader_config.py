"""nbgrader configuration for the Embeddings course.

Instructors edit the notebooks in ``solutions/`` (nbgrader's *source*
directory); ``nbgrader generate_assignment`` writes the student versions to
``notebooks/`` (nbgrader's *release* directory). Run every nbgrader command
from the repository root so that this file is found.
"""

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "embeddings"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
# Only the notebooks are part of an assignment; data is read through course_utils.datasets.
c.CourseDirectory.include = ["*.ipynb"]

# --- Student versions -------------------------------------------------------
# The stub that replaces each ### BEGIN SOLUTION ... ### END SOLUTION region.
c.ClearSolutions.code_stub = {
    "python": (
        "# YOUR CODE HERE\n"
        'raise NotImplementedError("Exercise not answered yet: replace this line with code that does '
        'what the docstring and the exercise text above ask for, then run the test cell below.")'
    )
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE (replace this line with your answer in a few sentences)."
c.ClearSolutions.enforce_metadata = True

# --- Autograding ------------------------------------------------------------
# Put back graded cells that a student deleted, from the copy in the gradebook,
# so that deleting or moving a test cell cannot dodge it.
c.OverwriteCells.add_missing_cells = True

# nbgrader marks a test cell as failed when it wrote anything to stderr. A
# Python warning (NumPy's RuntimeWarning, scikit-learn's ConvergenceWarning, ...)
# must not zero a test that passed, so outputs that are warnings are dropped.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^\S.*:\d+: \w*Warning: "

# Limits suitable for a class: a cell may run for at most 120 s (the slowest
# solution cell takes a few seconds), and long outputs are truncated.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# nbclient sometimes misses a cell's reply when the cell makes widgets (jupyter/nbclient#312): the cell
# would then wait out its whole time limit and be graded as failed. The executor below waits for the reply in
# one-second slices (course_utils/polling.py); it replaces Execute in nbgrader's own list of steps, so the
# c.Execute settings above apply to it.
from course_utils.polling import SlicedPolling  # noqa: E402
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402


class SlicedExecute(SlicedPolling, Execute):
    """nbgrader's Execute, waiting for each cell's reply in short slices."""


c.Autograde.autograde_preprocessors = [SlicedExecute if step is Execute else step
                                       for step in Autograde.class_traits()["autograde_preprocessors"].default()]
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# --- Late submissions -------------------------------------------------------------
# A submission is late when nbgrader's timestamp (timestamp.txt, written by `nbgrader collect` or taken from
# the file names by `zip_collect`) is after the assignment's due date, which you set in the gradebook:
#     nbgrader db assignment add 01_eigendecomposition --duedate="2027-01-20 23:59:00 Europe/London"
# Policy: 10 % of the score for each started day late; after 5 days, no points. (nbgrader hands the plugin
# the score only, not the points possible, so the penalty is a share of what was earned.)
import math  # noqa: E402

from nbgrader.plugins import LateSubmissionPlugin  # noqa: E402


class TenPercentPerDayLate(LateSubmissionPlugin):
    """Penalty: 10 % of the score per started day late, the whole score after 5 days."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86400)
        if days > 5:
            return score
        return score * 0.10 * days


c.AssignLatePenalties.plugin_class = TenPercentPerDayLate

# --- Collecting from a learning-management system -----------------------------
# `nbgrader zip_collect ASSIGNMENT` sorts the files (or zip archives of them) in
# downloaded/ASSIGNMENT/archive/ into submitted/STUDENT/ASSIGNMENT/. Files are
# expected to be named STUDENT__ASSIGNMENT.ipynb; adapt this to your LMS.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+?)__(?P<file_id>[^/]+\.ipynb)$"
