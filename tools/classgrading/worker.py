"""A long-lived grading worker: nbgrader's own Autograde converter, in-process, in a scratch course.

Each worker process owns a scratch course folder::

    <scratch>/w-XXXX/nbgrader_config.py     the course's config (the worker layers its settings on top)
    <scratch>/w-XXXX/gradebook.db           a copy of the real gradebook (assignments, source cells, checksums)
    <scratch>/w-XXXX/solutions/<id>/        the assignment's files other than notebooks (none in this course)
    <scratch>/w-XXXX/submitted/<s>/<id>/    a copy of one submission (regular files only)
    <scratch>/w-XXXX/autograded/<s>/<id>/   what nbgrader produced; the kernel's working folder

nbgrader is imported and configured once per worker; each submission then costs
one ``Autograde(...).start()`` call. The worker never touches the real gradebook:
it returns the scores nbgrader wrote into its scratch gradebook, and the parent
merges them (:mod:`classgrading.merge`).
"""

from dataclasses import dataclass, field
import io
import logging
import os
from pathlib import Path
import re
import shutil
import sqlite3
import tempfile
import time
import traceback

MAX_FILE_BYTES = 50 * 2**20


@dataclass
class Settings:
    """Everything a worker needs, picklable."""

    course_root: str
    gradebook_snapshot: str            # a consistent copy of the real gradebook, made by the parent
    scratch: str                       # parent folder of the workers' scratch courses
    timeout: int | None = None         # per-cell seconds (None: nbgrader_config.py's Execute.timeout)
    output_limit: int = 2_000_000
    sandbox: object = None             # sandbox.Sandbox
    max_restarts: int = 3
    extra_config: dict = field(default_factory=dict)


_state = {}


def quiet_sqlalchemy():
    """nbgrader's API triggers SQLAlchemy 2's "not in session" autoflush warnings; they are harmless noise."""
    import warnings

    from sqlalchemy.exc import SAWarning
    warnings.filterwarnings("ignore", category=SAWarning)


def copy_database(source, dest):
    """A consistent copy of an SQLite file (SQLite's backup API, safe while another process writes)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def load_config(settings, root):
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    layer = Config()
    layer.CourseDirectory.root = str(root)
    layer.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    layer.CourseDirectory.notebook_id = "*"
    layer.Autograde.create_student = True
    layer.BaseConverter.force = True
    layer.Autograde.autograde_preprocessors = [
        "classgrading.execute.GuardedExecute" if p == "Execute" else f"nbgrader.preprocessors.{p}"
        for p in ("Execute", "IgnorePattern")] + ["nbconvert.preprocessors.ClearMetadataPreprocessor"] + [
        f"nbgrader.preprocessors.{p}" for p in ("LimitOutput", "SaveAutoGrades", "AssignLatePenalties",
                                                "CheckCellMetadata")]
    if settings.timeout is not None:
        layer.Execute.timeout = settings.timeout
    layer.GuardedExecute.output_limit = settings.output_limit
    layer.GuardedExecute.max_restarts = settings.max_restarts
    layer.Execute.kernel_name = "python3"
    for dotted, value in settings.extra_config.items():
        section, name = dotted.rsplit(".", 1)
        layer[section][name] = value
    config.merge(layer)
    return config


def init(settings):
    """Pool initializer: build this process's scratch course and import nbgrader once."""
    from nbgrader.api import Gradebook
    quiet_sqlalchemy()

    from .execute import GuardedExecute

    root = Path(tempfile.mkdtemp(prefix="w-", dir=settings.scratch))
    course = Path(settings.course_root)
    shutil.copy(course / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copy(settings.gradebook_snapshot, root / "gradebook.db")
    (root / "sockets").mkdir()
    solutions = course / "solutions"
    if solutions.is_dir():
        for folder in solutions.iterdir():
            if folder.is_dir():
                for path in folder.rglob("*"):
                    if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb" \
                            and ".ipynb_checkpoints" not in path.parts:
                        dest = root / "solutions" / path.relative_to(solutions)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(path, dest)
    GuardedExecute.sandbox = settings.sandbox
    GuardedExecute.socket_root = str(root / "sockets")
    config = load_config(settings, root)
    notebooks = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for assignment in gradebook.assignments:
            notebooks[assignment.name] = sorted(nb.name for nb in assignment.notebooks)
    _state.update(root=root, config=config, notebooks=notebooks, settings=settings)
    # nbgrader logs through traitlets' logger: keep each submission's log for its result
    logger = logging.getLogger("traitlets")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    return str(root)


def _copy_submission(source, dest, notes):
    """Copy the regular files of a submission (no symlinks, devices or huge files)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for path in sorted(Path(source).rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink():
            notes.append(f"ignored the symbolic link {relative}")
        elif path.is_dir():
            (dest / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            if path.stat().st_size > MAX_FILE_BYTES:
                notes.append(f"ignored {relative}: larger than {MAX_FILE_BYTES // 2**20} MiB")
                continue
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / relative)


def _check_notebooks(folder, expected, notes):
    """Drop notebooks that are not valid, and give a single renamed notebook its expected name.

    Returns the expected notebooks that are present (and readable) afterwards.
    """
    import nbformat

    valid = set()
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as error:  # not JSON, not a notebook, an unknown format version
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            notes.append(f"{path.name} is not a valid notebook ({first_line[:160]}); it was not graded")
            path.unlink()
            continue
        valid.add(path.stem)
    missing = [name for name in expected if name not in valid]
    unknown = sorted(valid - set(expected))
    if len(missing) == 1 and len(unknown) == 1:
        (folder / f"{unknown[0]}.ipynb").rename(folder / f"{missing[0]}.ipynb")
        notes.append(f"the notebook was submitted as {unknown[0]}.ipynb; graded as {missing[0]}.ipynb")
        valid = (valid - {unknown[0]}) | {missing[0]}
    return [name for name in expected if name in valid]


def _zero_submission(gradebook, assignment_id, student_id, timestamp=None):
    """What nbgrader does for a notebook that is missing from a submission: every grade zero, nothing to grade."""
    gradebook.update_or_create_student(student_id)
    kwargs = {"timestamp": timestamp} if timestamp else {}
    submission = gradebook.update_or_create_submission(assignment_id, student_id, **kwargs)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
    gradebook.db.commit()


def _collect(gradebook, assignment_id, student_id):
    """The scores nbgrader stored for this submission in the scratch gradebook."""
    submission = gradebook.find_submission(assignment_id, student_id)
    notebooks = []
    for notebook in submission.notebooks:
        notebooks.append({
            "name": notebook.name,
            "late_penalty": notebook.late_submission_penalty,
            "grades": [{"name": g.name, "auto_score": g.auto_score, "max_score": g.max_score,
                        "needs_manual_grade": g.needs_manual_grade} for g in notebook.grades],
            "comments": [{"name": c.name, "auto_comment": c.auto_comment} for c in notebook.comments],
        })
    return submission.timestamp, notebooks


def grade(task):
    """Autograde one submission. ``task`` = (student_id, assignment_id, submitted folder). Returns a dict."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from .execute import GuardedExecute

    student_id, assignment_id, source = task
    root, config = _state["root"], _state["config"]
    started = time.monotonic()
    notes, status, reason = [], "graded", ""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger = logging.getLogger("traitlets")
    logger.addHandler(handler)
    GuardedExecute.events = []
    submitted = root / "submitted" / student_id / assignment_id
    autograded = root / "autograded" / student_id / assignment_id
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    try:
        if autograded.exists():
            shutil.rmtree(autograded)
        _copy_submission(source, submitted, notes)
        expected = _state["notebooks"].get(assignment_id)
        if expected is None:
            raise LookupError(f"{assignment_id} is not in the gradebook")
        present = _check_notebooks(submitted, expected, notes)
        timestamp = None
        if present:
            coursedir = CourseDirectory(config=config)
            coursedir.root = str(root)
            coursedir.assignment_id = assignment_id
            coursedir.student_id = student_id
            converter = Autograde(coursedir=coursedir, config=config)
            converter.log = logger
            try:
                converter.start()
            except Exception as error:  # nbgrader's NbGraderException: the details are in its log
                status = "failed"
                # nbgrader's own message only points at its log; the last exception named there says why
                named = re.findall(r"^\s*(\w+(?:Error|Exception|Exit)\b.*)$", log.getvalue(), re.M)
                reason = f"nbgrader could not grade it: {named[-1] if named else error}"
        else:
            status = "failed"
            reason = "no notebook of the assignment was submitted in a readable form"
        with Gradebook(db_url) as gradebook:
            if status == "failed":
                try:
                    timestamp = gradebook.find_submission(assignment_id, student_id).timestamp
                except Exception:
                    timestamp = None
                _zero_submission(gradebook, assignment_id, student_id, timestamp)
            timestamp, notebooks = _collect(gradebook, assignment_id, student_id)
    except Exception:
        status, reason, notebooks, timestamp = "failed", traceback.format_exc(limit=4), [], None
    finally:
        logger.removeHandler(handler)
    if status == "failed" and autograded.exists():
        shutil.rmtree(autograded)
    if not reason and any(event["kind"] in ("kernel start failed",) for event in GuardedExecute.events):
        reason = "the kernel could not be started"
    return {
        "student": student_id, "assignment": assignment_id, "status": status, "reason": reason,
        "notes": notes, "events": list(GuardedExecute.events), "timestamp": timestamp, "notebooks": notebooks,
        "autograded": str(autograded) if autograded.exists() else None,
        "seconds": time.monotonic() - started, "worker": os.getpid(),
        "log": log.getvalue()[-20000:],
    }
