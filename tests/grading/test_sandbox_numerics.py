"""The student's kernel computes with the same machine code as the grader that recomputes the references.

The sandbox clears the environment; variables that choose a numerical library's CPU kernel (OpenBLAS's
``OPENBLAS_CORETYPE``, MKL's ``MKL_CBWR``, ...) are carried over. Without them an exact t-SNE run in the kernel
and the same run in the grader diverge (notebook 04's exercise 7 lost its points on a machine that sets
``OPENBLAS_CORETYPE=Haswell`` on an AVX-512 CPU).
"""

import os
import subprocess
import sys

import pytest

from tests.grading.course import ROOT

sys.path.insert(0, str(ROOT / "tools"))

from classgrading import sandbox  # noqa: E402

# A product whose rounding depends on the BLAS kernel (the order of the partial sums), and the environment.
PROBE = """
import json, os
import numpy as np
rng = np.random.default_rng(0)
a, b = rng.standard_normal((300, 300)), rng.standard_normal((300, 300))
print(json.dumps({"env": {k: os.environ.get(k) for k in %r}, "product": (a @ b).tobytes().hex()}))
""" % (list(sandbox.NUMERIC_ENV),)


def _run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)


def test_kernel_env_carries_the_numeric_variables_only(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("MKL_CBWR", "COMPATIBLE")
    monkeypatch.setenv("SECRET_TOKEN", "do-not-pass")
    env = sandbox.kernel_env()
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["MKL_CBWR"] == "COMPATIBLE"
    assert "SECRET_TOKEN" not in env
    assert env["OPENBLAS_NUM_THREADS"] == "1"


@pytest.mark.slow
@pytest.mark.parametrize("coretype", [None, "Haswell", "Prescott"])
def test_a_sandboxed_product_rounds_as_the_graders(tmp_path, monkeypatch, coretype):
    problem = sandbox.bubblewrap_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    if coretype is None:
        monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_CORETYPE", coretype)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    connection = tmp_path / "connection.json"
    connection.write_text("{}")
    box = sandbox.Sandbox(readonly=[str(tmp_path)])
    argv = box.command([sys.executable, str(probe)], connection, 0)
    at = argv.index("--info-fd")
    del argv[at:at + 2]
    inside = _run(argv, env={})
    assert inside.returncode == 0, inside.stderr
    grader_env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    outside = _run([sys.executable, str(probe)], env=grader_env)
    assert outside.returncode == 0, outside.stderr
    assert inside.stdout == outside.stdout
