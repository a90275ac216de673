"""The class grader's mechanisms, one by one, on the tiny assignment of ``mini.py`` (cells of milliseconds)."""

from concurrent.futures import ThreadPoolExecutor
import shutil

import pytest

from tests.grading.mini import FULL, answers, full_except, grade, messages, mini_course  # noqa: F401

@pytest.mark.slow
def test_data_values_errstate_forbid_and_objects(mini_course):
    subs = {
        "honest": answers(mini_course),
        # rebinding the notebook's DATA and twice() changes no test: tests read the notebook's own values
        "rebinds": answers(mini_course, ex1="""
            DATA = np.zeros(6)
            twice = lambda x: 0 * x


            def double(x):
                return 2 * np.asarray(x, dtype=float)
            """),
        "numpy_int": answers(mini_course, ex2="def count(values):\n    return np.int64(len(values))"),
        "divides": answers(mini_course, ex3="""
            def safe_ratio(a, b):
                out = a / b
                out[~np.isfinite(out)] = 0.0
                return out
            """),
        "alias": answers(mini_course, ex4="""
            def solve(A, b, _solve=np.linalg.solve):
                return _solve(A, b)
            """),
        "direct": answers(mini_course, ex4="def solve(A, b):\n    return np.linalg.inv(A) @ b"),
        "internal": answers(mini_course, ex4="def solve(A, b):\n    return np.linalg.pinv(A) @ b"),
        # scipy decorates eigh and cholesky with the same wrapper: calling eigh is not calling cholesky
        "decorated": answers(mini_course, ex4="""
            def solve(A, b):
                w, V = scipy.linalg.eigh(A)
                return V @ ((V.T @ b) / w)
            """),
        "decorated_alias": answers(mini_course, ex4="""
            def solve(A, b, _factor=scipy.linalg.cholesky):
                L = _factor(A, lower=True)
                return scipy.linalg.solve_triangular(L.T, scipy.linalg.solve_triangular(L, b, lower=True))
            """),
        "copies": answers(mini_course, ex5="""
            class Counter:
                def __init__(self):
                    self.n = 0

                def add(self, k):
                    self.n += k
                    return self.n


            def identity_sparse(n):
                return scipy.sparse.identity(n, format="csr")


            def normalize_in_place(x):
                x = x / np.linalg.norm(x)
            """),
    }
    scores, out = grade(mini_course, subs)
    assert scores["honest"] == FULL, out
    assert scores["rebinds"] == FULL
    assert scores["numpy_int"] == full_except("ex2_visible", "ex2_hidden")
    assert scores["divides"] == full_except("ex3_hidden")
    assert scores["alias"] == full_except("ex4_hidden"), "a forbidden function called through an alias"
    assert scores["direct"] == full_except("ex4_hidden")
    assert scores["internal"] == FULL, "numpy's own use of a forbidden routine is not the student's"
    assert scores["decorated"] == FULL, "a function that shares a decorator with a forbidden one is allowed"
    assert scores["decorated_alias"] == full_except("ex4_hidden")
    assert "scipy.linalg.cholesky, which is not allowed" in messages(mini_course, "decorated_alias")["ex4_hidden"]
    assert scores["copies"] == full_except("ex5_hidden"), "an in-place change the test checks"
    assert "Python int" in messages(mini_course, "numpy_int")["ex2_visible"]
    assert "numpy.linalg.solve, which is not allowed" in messages(mini_course, "alias")["ex4_hidden"]
    assert "FloatingPointError" in messages(mini_course, "divides")["ex3_hidden"]


@pytest.mark.slow
def test_hangs_deaths_deadline_and_hidden_text(mini_course, tmp_path):
    subs = {
        "hangs": answers(mini_course, ex6="""
            def label(k):
                import signal, time
                if k > 20:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    while True:
                        time.sleep(0.01)
                return "small" if k < 10 else "large"
            """),
        "dies": answers(mini_course, ex6="""
            def label(k):
                import os
                if k > 20:
                    os._exit(3)
                return "small" if k < 10 else "large"
            """),
        "talks": answers(mini_course, ex6="""
            def label(k):
                if k > 20:
                    raise ValueError("SECRET-" + repr(k) * 3 + " \\n")   # shown stripped: still redacted
                return "small" if k < 10 else "LARGE-INPUT-" + str(k)
            """),
    }
    late = {"late": answers(mini_course, ex2="""
        import time
        time.sleep(10**6)


        def count(values):
            return len(values)
        """)}
    # The late submission waits out its deadline asleep, so it is graded at the same time as the other three,
    # in a copy of the course (its own gradebook), instead of after them.
    late_course = tmp_path / "course"
    shutil.copytree(mini_course, late_course, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    with ThreadPoolExecutor(2) as pool:
        deadline_run = pool.submit(grade, late_course, late, "--deadline", "60")
        scores, out = grade(mini_course, subs)
        late_scores, late_out = deadline_run.result()

    assert scores["hangs"] == full_except("ex6_hidden")
    assert scores["dies"] == full_except("ex6_hidden")
    assert scores["talks"] == full_except("ex6_hidden")
    assert "TimeoutError" in messages(mini_course, "hangs")["ex6_hidden"]
    assert "KernelDied" in messages(mini_course, "dies")["ex6_hidden"]
    assert "kernel restarted" in out and "hangs" in out
    said = messages(mini_course, "talks")["ex6_hidden"]
    assert "SECRET" not in said and "[text from your code]" in said, said

    # exercise 1 was graded before the deadline; exercise 2's answer ran into it; nothing after it ran
    assert late_scores["late"] == {name: (1.0 if name.startswith("ex1") else 0.0) for name in FULL}, late_out
    assert "deadline" in late_out
