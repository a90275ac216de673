"""environment.yml (conda, for students) installs the same packages as pyproject.toml's `all` extra."""

from pathlib import Path
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
import yaml

ROOT = Path(__file__).resolve().parents[2]


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        lines += [r for r in requirements if canonicalize_name(Requirement(r).name) != "course-utils"]
    return {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in lines}


def environment_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    lines = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            lines += [e for e in entry["pip"] if not e.startswith("-")]
        elif not entry.startswith(("python=", "pip")) or entry.startswith("pip-"):
            lines.append(entry)
    return {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in lines}


def test_environment_yml_matches_pyproject():
    ours, theirs = pyproject_requirements(), environment_requirements()
    assert sorted(set(ours) - set(theirs)) == [], "in pyproject.toml but missing from environment.yml"
    assert sorted(set(theirs) - set(ours)) == [], "in environment.yml but not in pyproject.toml"
    differing = {name: (str(ours[name]), str(theirs[name])) for name in ours if ours[name] != theirs[name]}
    assert differing == {}, "version ranges differ (pyproject, environment.yml)"


def test_environment_yml_pins_python_and_installs_the_course():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip_section
    assert "torch==2.13.0" in pip_section, "torch must stay pinned (a loose requirement pulls a CUDA build)"
