"""A long-lived grading worker: nbgrader's own Autograde converter, in-process, in a scratch course.

Each worker process owns a scratch course folder that no student code can reach::

    <scratch>/w-XXXX/nbgrader_config.py     the course's config (the worker layers its settings on top)
    <scratch>/w-XXXX/gradebook.db           a copy of the real gradebook (assignments, source cells, checksums)
    <scratch>/w-XXXX/submitted/<s>/<id>/    the submission, written from the bytes the parent read
    <scratch>/w-XXXX/autograded/<s>/<id>/   what nbgrader produced
    <scratch>/w-XXXX/kernels/               connection files of the kernels (their sockets are in the sandbox)

nbgrader is imported and configured once per worker; each submission then costs one
``Autograde(...).start()`` call. A task is data - ``(student, assignment, {file name: bytes})`` - and so is
its result (scores, the autograded notebook's bytes, what happened): the worker never touches the real
gradebook or the course's folders; the parent merges (:mod:`classgrading.merge`).
"""

from dataclasses import dataclass, field
import io
import logging
import os
from pathlib import Path
import pickle
import re
import shutil
import sqlite3
import tempfile
import time
import traceback

MAX_FILE_BYTES = 50 * 2**20


@dataclass
class Settings:
    """Everything a worker needs, as data (picklable), so that a worker on another machine needs only the
    course's environment: the config, a snapshot of the gradebook and the plans travel with it."""

    config: bytes                      # the course's nbgrader_config.py
    gradebook: bytes                   # a consistent copy of the real gradebook, made by the parent
    plans: dict = field(default_factory=dict)            # assignment id -> pickled plan (classgrading.plan)
    solution_files: dict = field(default_factory=dict)   # files of solutions/ other than notebooks
    scratch: str | None = None         # where the worker's scratch course goes (None or absent: the temp folder)
    timeout: int | None = None         # per-cell seconds (None: nbgrader_config.py's Execute.timeout)
    output_limit: int = 2_000_000
    sandbox: object = None             # sandbox.Sandbox
    cgroups: bool = True               # one control group per kernel (each worker makes its own tree)
    cgroup_parent: str | None = None
    deadline: float = 900.0            # seconds for one whole submission
    max_restarts: int = 3
    extra_config: dict = field(default_factory=dict)


def settings_for(course, plans, **options):
    """Settings for grading ``course`` (read here, in the parent): ``plans`` maps assignment ids to plan files."""
    course = Path(course)
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "gradebook.db"
        copy_database(course / "gradebook.db", snapshot)
        gradebook = snapshot.read_bytes()
    solution_files = {}
    solutions = course / "solutions"
    if solutions.is_dir():
        for path in sorted(solutions.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb" \
                    and ".ipynb_checkpoints" not in path.parts:
                solution_files[str(path.relative_to(solutions))] = path.read_bytes()
    return Settings(config=(course / "nbgrader_config.py").read_bytes(), gradebook=gradebook,
                    plans={a: Path(p).read_bytes() for a, p in plans.items()}, solution_files=solution_files,
                    **options)


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
        "classgrading.execute.TrustedExecute" if p == "Execute" else f"nbgrader.preprocessors.{p}"
        for p in ("Execute", "IgnorePattern")] + ["nbconvert.preprocessors.ClearMetadataPreprocessor"] + [
        f"nbgrader.preprocessors.{p}" for p in ("LimitOutput", "SaveAutoGrades", "AssignLatePenalties",
                                                "CheckCellMetadata")]
    if settings.timeout is not None:
        layer.Execute.timeout = settings.timeout
    layer.TrustedExecute.output_limit = settings.output_limit
    layer.TrustedExecute.max_restarts = settings.max_restarts
    layer.Execute.kernel_name = "python3"
    for dotted, value in settings.extra_config.items():
        section, name = dotted.rsplit(".", 1)
        layer[section][name] = value
    config.merge(layer)
    return config


def init(settings):
    """Pool initializer: build this process's scratch course and import nbgrader once."""
    import atexit

    # The test cells run here with BLAS and numba on one thread, as the student's kernel does
    # (sandbox.KERNEL_ENV): references recomputed here then round exactly as the kernel's numbers do.
    # The variables hold for libraries loaded from now on, threadpool_limits for those already loaded.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[name] = "1"
    from nbgrader.api import Gradebook
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    quiet_sqlalchemy()

    from . import cgroups
    from .execute import TrustedExecute

    scratch = settings.scratch if settings.scratch and os.path.isdir(settings.scratch) else None
    root = Path(tempfile.mkdtemp(prefix="w-", dir=scratch))
    atexit.register(shutil.rmtree, root, True)
    (root / "nbgrader_config.py").write_bytes(settings.config)
    (root / "gradebook.db").write_bytes(settings.gradebook)
    (root / "kernels").mkdir()
    for name, data in settings.solution_files.items():
        dest = root / "solutions" / name
        if root / "solutions" in dest.resolve().parents:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    plans = {assignment_id: pickle.loads(data) for assignment_id, data in settings.plans.items()}
    layout = None
    if settings.cgroups and settings.sandbox is not None and settings.sandbox.enabled:
        layout, problem = cgroups.find(settings.cgroup_parent)
        if problem:
            raise RuntimeError(f"cannot limit each submission as a whole on this machine: {problem}")
        atexit.register(cgroups.remove_layout, layout)
    TrustedExecute.sandbox = settings.sandbox
    TrustedExecute.plans = plans
    TrustedExecute.cgroups = layout
    TrustedExecute.scratch = str(root / "kernels")
    config = load_config(settings, root)
    TrustedExecute.allowed_texts = stub_texts(config)
    notebooks, known_cells = {}, {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for assignment in gradebook.assignments:
            notebooks[assignment.name] = sorted(nb.name for nb in assignment.notebooks)
            for nb in assignment.notebooks:
                known_cells[(assignment.name, nb.name)] = {cell.name for cell in nb.source_cells}
    _state.update(root=root, config=config, notebooks=notebooks, known_cells=known_cells, settings=settings)
    # nbgrader logs through traitlets' logger: keep each submission's log for its result
    logger = logging.getLogger("traitlets")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    return str(root)


def stub_texts(config):
    """The string literals of nbgrader's code stub (the message every unanswered exercise raises)."""
    import ast

    stub = config.ClearSolutions.get("code_stub", {})
    source = stub.get("python", "") if isinstance(stub, dict) else ""
    try:
        return {node.value for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    except SyntaxError:
        return set()


def _write_submission(files, dest):
    """Write the submission's files (names already checked by the parent) into the scratch course."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name, data in files.items():
        path = dest / name
        if dest not in path.resolve().parents:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _check_notebooks(folder, expected, known_cells, assignment_id, notes):
    """Drop notebooks that are not valid, give a single renamed notebook its expected name, and take the
    nbgrader metadata off cells that are not part of the assignment (nbgrader would fail on them).

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
    present = [name for name in expected if name in valid]
    for name in present:
        path = folder / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        known = known_cells.get((assignment_id, name), set())
        changed = 0
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution") or meta.get("locked")) \
                    and meta.get("grade_id") not in known:
                del cell.metadata["nbgrader"]
                changed += 1
        if changed:
            notes.append(f"{changed} cell(s) carried grading metadata that is not part of the assignment; it was "
                         "ignored")
            nbformat.write(nb, path)
    return present


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
    """Autograde one submission. ``task`` = (student_id, assignment_id, {file name: bytes}, notes). Returns data."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from .execute import TrustedExecute

    student_id, assignment_id, files, read_notes = task[:4]
    variants = task[4] if len(task) > 4 else []
    root, config = _state["root"], _state["config"]
    started = time.monotonic()
    notes, status, reason = list(read_notes), "graded", ""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger = logging.getLogger("traitlets")
    logger.addHandler(handler)
    TrustedExecute.events = []
    TrustedExecute.variants, TrustedExecute.variant_results = variants, {}
    TrustedExecute.deadline = started + _state["settings"].deadline
    submitted = root / "submitted" / student_id / assignment_id
    autograded = root / "autograded" / student_id / assignment_id
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    outputs = {}
    try:
        if autograded.exists():
            shutil.rmtree(autograded)
        _write_submission(files, submitted)
        expected = _state["notebooks"].get(assignment_id)
        if expected is None:
            raise LookupError(f"{assignment_id} is not in the gradebook")
        present = _check_notebooks(submitted, expected, _state["known_cells"], assignment_id, notes)
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
        if status == "graded":
            for name in expected:
                path = autograded / f"{name}.ipynb"
                if path.is_file() and not path.is_symlink():
                    outputs[f"{name}.ipynb"] = path.read_bytes()
    except Exception:
        status, reason, notebooks, timestamp = "failed", traceback.format_exc(limit=4), [], None
    finally:
        logger.removeHandler(handler)
        shutil.rmtree(submitted, ignore_errors=True)
        shutil.rmtree(autograded, ignore_errors=True)
    if not reason and any(event["kind"] in ("kernel start failed",) for event in TrustedExecute.events):
        reason = "the kernel could not be started"
    return {
        "student": student_id, "assignment": assignment_id, "status": status, "reason": reason,
        "notes": notes, "events": list(TrustedExecute.events), "timestamp": timestamp, "notebooks": notebooks,
        "autograded": outputs, "seconds": time.monotonic() - started, "worker": os.getpid(),
        "log": log.getvalue()[-20000:], "variants": dict(TrustedExecute.variant_results),
    }
