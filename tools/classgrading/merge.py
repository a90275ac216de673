"""The parent's side: read submissions without following anything, and merge results into the real gradebook.

Only the parent process reads ``submitted/`` and writes the course's gradebook (SQLite takes one writer at
a time), one submission per transaction, with nbgrader's own ``Gradebook`` objects: the student, the
submission (with the timestamp nbgrader read from ``timestamp.txt``), each grade's ``auto_score`` and
``needs_manual_grade``, each answer's ``auto_comment`` and the notebook's late penalty -- exactly the
fields ``nbgrader autograde`` writes. Manual scores are never touched; a failure while merging one
submission is rolled back and leaves everything already there as it was.

Reading: every path below ``submitted/`` is opened one component at a time relative to its parent's
descriptor, with ``O_NOFOLLOW``: a symbolic link (to the gradebook, another student's notebook, the
solutions), a FIFO or a device is never followed or read, and is reported instead.
"""

import os
from pathlib import Path
import stat

MAX_FILE_BYTES = 50 * 2**20
MAX_FILES = 200


def _open_dir(name, dir_fd=None):
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def list_submissions(course, assignment_ids, students=()):
    """(student, assignment) of every real folder ``submitted/<student>/<assignment>/``, and notes on the
    entries that were skipped (symbolic links, files where folders belong)."""
    found, skipped = [], []
    root = Path(course) / "submitted"
    try:
        top = _open_dir(str(root))
    except FileNotFoundError:
        return found, skipped
    except OSError as error:
        return found, [f"submitted/ cannot be read: {error}"]
    try:
        for entry in sorted(os.scandir(top), key=lambda e: e.name):
            if entry.name.startswith(".") or (students and entry.name not in students):
                continue
            if not entry.is_dir(follow_symlinks=False):
                kind = "a symbolic link" if entry.is_symlink() else "not a folder"
                skipped.append((entry.name, None, f"submitted/{entry.name} is {kind}; it was not graded"))
                continue
            try:
                student_fd = _open_dir(entry.name, dir_fd=top)
            except OSError as error:
                skipped.append((entry.name, None, f"submitted/{entry.name} cannot be opened: {error}"))
                continue
            try:
                names = {e.name: e for e in os.scandir(student_fd)}
                for assignment_id in assignment_ids:
                    item = names.get(assignment_id)
                    if item is None:
                        continue
                    if item.is_dir(follow_symlinks=False):
                        found.append((entry.name, assignment_id))
                    else:
                        kind = "a symbolic link" if item.is_symlink() else "not a folder"
                        skipped.append((entry.name, assignment_id,
                                        f"submitted/{entry.name}/{assignment_id} is {kind}; it was not graded"))
            finally:
                os.close(student_fd)
    finally:
        os.close(top)
    return found, skipped


def read_submission(course, student, assignment_id):
    """The submission's regular files as ``{relative name: bytes}``, and notes on what was left out."""
    files, notes = {}, []
    fd = _open_dir(str(Path(course) / "submitted"))
    try:
        for part in (student, assignment_id):
            new = _open_dir(part, dir_fd=fd)
            os.close(fd)
            fd = new
        _read_folder(fd, "", files, notes)
    finally:
        os.close(fd)
    return files, notes


def _read_folder(fd, prefix, files, notes, depth=0):
    for entry in sorted(os.scandir(fd), key=lambda e: e.name):
        relative = prefix + entry.name
        if entry.name.startswith("."):
            continue
        if len(files) >= MAX_FILES:
            notes.append(f"more than {MAX_FILES} files were submitted; the rest was ignored")
            return
        try:
            info = os.stat(entry.name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            notes.append(f"ignored the symbolic link {relative} (links are never followed)")
        elif stat.S_ISDIR(info.st_mode):
            if depth >= 3:
                notes.append(f"ignored the folder {relative} (nested too deeply)")
                continue
            sub = _open_dir(entry.name, dir_fd=fd)
            try:
                _read_folder(sub, relative + "/", files, notes, depth + 1)
            finally:
                os.close(sub)
        elif stat.S_ISREG(info.st_mode):
            if info.st_size > MAX_FILE_BYTES:
                notes.append(f"ignored {relative}: larger than {MAX_FILE_BYTES // 2**20} MiB")
                continue
            handle = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
            with os.fdopen(handle, "rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    continue
                files[relative] = stream.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]
        else:
            notes.append(f"ignored {relative}: not a regular file")


def merge_result(gradebook, result):
    """Write ``result`` (from :func:`classgrading.worker.grade`) into ``gradebook``, in one transaction."""
    try:
        _merge(gradebook, result)
        gradebook.db.commit()
    except Exception:
        gradebook.db.rollback()
        raise


def _merge(gradebook, result):
    assignment_id, student_id = result["assignment"], result["student"]
    gradebook.update_or_create_student(student_id)
    kwargs = {"timestamp": result["timestamp"]} if result["timestamp"] else {}
    submission = gradebook.update_or_create_submission(assignment_id, student_id, **kwargs)
    graded = result["status"] == "graded"
    by_name = {notebook["name"]: notebook for notebook in result["notebooks"]}
    for notebook in submission.notebooks:
        ours = by_name.get(notebook.name)
        grades = {g["name"]: g for g in ours["grades"]} if ours else {}
        comments = {c["name"]: c for c in ours["comments"]} if ours else {}
        notebook.late_submission_penalty = ours["late_penalty"] if ours else None
        for grade in notebook.grades:
            ours_grade = grades.get(grade.name)
            grade.auto_score = ours_grade["auto_score"] if ours_grade else 0
            if graded and ours_grade:
                # nbgrader's rule (SaveAutoGrades): review what a grader already scored or the autograder could not
                grade.needs_manual_grade = bool(ours_grade["needs_manual_grade"]) or grade.manual_score is not None \
                    or grade.auto_score is None
            else:
                grade.needs_manual_grade = False
        for comment in notebook.comments:
            ours_comment = comments.get(comment.name)
            comment.auto_comment = ours_comment["auto_comment"] if ours_comment else None


def safe_folder(course, *parts):
    """``course/parts...`` as real folders (created as needed); refuses to go through a symbolic link."""
    path = Path(course)
    for part in parts:
        if part in ("", ".", "..") or "/" in part or "\x00" in part:
            raise ValueError(f"unsafe folder name {part!r}")
        path = path / part
        if path.is_symlink():
            raise ValueError(f"{path} is a symbolic link")
        path.mkdir(exist_ok=True)
    return path


def write_file(folder, name, data):
    """Write ``data`` to ``folder/name`` atomically, replacing a file but never following a link."""
    target = Path(folder) / name
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise ValueError(f"{target} is not a regular file")
    temporary = Path(folder) / f".{name}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    return target


def install_autograded(result, course_root):
    """Write the autograded notebooks of ``result`` into ``autograded/<student>/<assignment>/``."""
    folder = safe_folder(course_root, "autograded", result["student"], result["assignment"])
    for path in list(folder.iterdir()):
        if path.is_file() or path.is_symlink():
            path.unlink()
    for name, data in (result.get("autograded") or {}).items():
        write_file(folder, name, data)
    return folder
