"""environment.yml (conda, for students) installs the same packages as pyproject.toml's `student` extra (what
`make lab` installs), and binder/environment.yml is that environment without the course's own package, which
Binder installs in binder/postBuild."""

from pathlib import Path
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
import yaml

ROOT = Path(__file__).resolve().parents[2]


def pyproject_requirements(extra="student"):
    """The requirements of the core and of ``extra``, following the extras it names (course_utils[...])."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lines, todo, seen = list(project["dependencies"]), [extra], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in extras[name]:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) == "course-utils":
                todo += sorted(requirement.extras)
            else:
                lines.append(line)
    return {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in lines}


def environment_requirements(path=ROOT / "environment.yml"):
    env = yaml.safe_load(path.read_text())
    lines = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            lines += [e for e in entry["pip"] if not e.startswith("-")]
        elif not entry.startswith(("python=", "pip")) or entry.startswith("pip-"):
            lines.append(entry)
    return {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in lines}


def test_environment_yml_matches_the_student_extra():
    ours, theirs = pyproject_requirements("student"), environment_requirements()
    assert sorted(set(ours) - set(theirs)) == [], "in pyproject.toml's student set but missing from environment.yml"
    assert sorted(set(theirs) - set(ours)) == [], "in environment.yml but not in pyproject.toml's student set"
    differing = {name: (str(ours[name]), str(theirs[name])) for name in ours if ours[name] != theirs[name]}
    assert differing == {}, "version ranges differ (pyproject, environment.yml)"


def test_the_student_set_leaves_out_the_test_and_site_tools():
    student, everything = pyproject_requirements("student"), pyproject_requirements("all")
    for tool in ["pytest", "nbval", "playwright", "opentsne", "sphinx", "myst-nb"]:
        assert tool in everything and tool not in student, tool
    for needed in ["torch", "sentence-transformers", "gensim", "faiss-cpu", "hnswlib", "jupyterlab", "nbgrader"]:
        assert needed in student, needed


def test_environment_yml_pins_python_and_installs_the_course():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip_section
    assert "torch==2.13.0" in pip_section, "torch must stay pinned (a loose requirement pulls a CUDA build)"


def test_binder_environment_is_the_student_environment_without_the_course_package():
    root = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())

    def without_course(dependencies):
        return [{"pip": [e for e in entry["pip"] if e != "-e ."]} if isinstance(entry, dict) else entry
                for entry in dependencies]

    assert binder["dependencies"] == without_course(root["dependencies"])
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()
