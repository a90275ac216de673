"""Quantities shared by several notebooks agree (issue 15): one covariance convention, the same wine numbers.

The course computes the sample covariance of n samples as X_c^T X_c / (n - 1), as ``np.cov`` and scikit-learn's
PCA do, and standardises with the standard deviation computed with the same n - 1, so that the covariance of
standardised data is exactly the correlation matrix. Notebooks 01, 02 and 03 all meet the covariance; 01 and 02
both print the eigenvalues of the wine correlation matrix. This test reads what the solution notebooks print
(their stored outputs, which nbval keeps equal to a fresh run) and what their text says, and checks both against
an independent reference: the eigenvalues of ``np.corrcoef`` (and ``np.cov``) of scikit-learn's wine data.

* every wine eigenvalue list a notebook prints equals the reference to the digits printed, and the notebooks
  agree with each other (01 and 02 must print one; 03 is checked whenever it prints one);
* no notebook calls a 1/n matrix "the covariance" without setting it against the n - 1 convention, and the
  notebooks that standardise the wine data say that the covariance and the standard deviation use n - 1.
"""

import hashlib
import itertools
import re

import nbformat
import numpy as np
import pytest
from sklearn.datasets import load_wine

from tests.grading.course import ROOT

NOTEBOOKS = ["01_eigendecomposition", "02_pca", "03_graph_embedding"]
MUST_PRINT_WINE_EIGENVALUES = {"01_eigendecomposition", "02_pca"}

# Notebook 03 as it stood before issue 15 (commit 9e6a6d4) still calls (1/n) X^T H X the covariance; branch nb03
# changes that. That exact file is an expected failure; any other version of notebook 03 is checked strictly.
OLD_03_SHA256 = "081ecc88979b9e5c4f3bd0e9f4ff4dbf06b4b5a40985bd1c292a200df7a2b2d5"

# "eigenvalues of the wine correlation matrix:\n [4.7059 2.497 ...]": a label, then a printed array.
PRINTED_ARRAY = re.compile(r"(?P<label>[^\n\[]*eigenvalue[^\n\[]*)\n?\s*\[(?P<numbers>[^\]]*)\]", re.I)
NUMBER = re.compile(r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?", re.I)
ONE_OVER_N = re.compile(r"\\t?frac\s*(?:\{1\}|1)\s*(?:\{n\}|n)(?![-\w])|(?<![\w(])1\s*/\s*n\b")
N_MINUS_ONE = re.compile(r"n\s*[-−]\s*1")
COVARIANCE_N_MINUS_ONE = re.compile(r"\\t?frac\s*(?:\{1\}|1)\s*\{n\s*-\s*1\}|/\s*\(n\s*-\s*1\)")


def solution_path(assignment_id):
    return ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb"


def notebook(assignment_id):
    return nbformat.read(solution_path(assignment_id), as_version=4)


def wine_references():
    """The reference eigenvalues, largest first: of the correlation matrix, and of the raw covariance (n - 1)."""
    X = load_wine().data
    return {"correlation": np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))[::-1],
            "covariance": np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1]}


def printed_text(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output["text"])
        elif "data" in output and "text/plain" in output["data"]:
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


def printed_wine_eigenvalues(nb):
    """(label, values, decimals) for every eigenvalue list a wine cell prints about a correlation or covariance."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "wine" not in cell.source:
            continue
        for match in PRINTED_ARRAY.finditer(printed_text(cell)):
            label = match.group("label").strip()
            if not re.search(r"correlation|covarian|standardi", label, re.I):
                continue
            tokens = NUMBER.findall(match.group("numbers"))
            if not tokens:
                continue
            decimals = max(len(t.split(".")[1]) if "." in t and "e" not in t.lower() else 0 for t in tokens)
            found.append((label, np.array([float(t) for t in tokens]), decimals))
    return found


def kind_of(label):
    return "covariance" if re.search(r"\braw\b", label, re.I) else "correlation"


def diagnose(values, reference, n):
    ratio = values[0] / reference[0]
    if np.isclose(ratio, n / (n - 1), rtol=1e-4):
        return (f" They are n/(n-1) = {n}/{n - 1} times too large: standardised with the n-denominator standard "
                "deviation (StandardScaler, ddof=0) and then divided by n - 1.")
    if np.isclose(ratio, (n - 1) / n, rtol=1e-4):
        return f" They are (n-1)/n = {n - 1}/{n} times too small: a covariance divided by n instead of n - 1."
    return ""


def eigenvalue_problems(printed):
    """What is wrong with printed wine eigenvalue lists, as sentences (empty: they match the reference)."""
    references = wine_references()
    n = load_wine().data.shape[0]
    problems = []
    for label, values, decimals in printed:
        if len(values) > 13:
            problems.append(f"{label!r} printed {len(values)} wine eigenvalues; there are 13")
            continue
        reference = references[kind_of(label)][:len(values)]
        if np.abs(values - reference).max() > 0.5 * 10.0 ** -decimals + 1e-12:
            problems.append(f"{label!r} {values.tolist()}, but the {kind_of(label)} matrix of the wine data "
                            f"(covariance divided by n - 1, standardised with n - 1) has "
                            f"{np.round(reference, decimals).tolist()}." + diagnose(values, reference, n))
    return problems


@pytest.mark.parametrize("assignment_id", NOTEBOOKS)
def test_printed_wine_eigenvalues_match_the_reference(assignment_id):
    printed = printed_wine_eigenvalues(notebook(assignment_id))
    if not printed:
        assert assignment_id not in MUST_PRINT_WINE_EIGENVALUES, (
            f"{assignment_id} no longer prints the eigenvalues of the wine correlation matrix (a line with "
            "'eigenvalues' and 'correlation' or 'standardised' followed by the array): this test cannot check them")
        pytest.skip(f"{assignment_id} prints no wine eigenvalues")
    problems = eigenvalue_problems(printed)
    assert not problems, f"{assignment_id} prints " + "\n".join(problems)


def test_the_eigenvalue_check_notices_the_standard_scaler_numbers():
    """Issue 15's 4.732: StandardScaler's ddof=0 data divided by n - 1 is caught, and said to be."""
    cell = nbformat.v4.new_code_cell("print(PCA().fit(StandardScaler().fit_transform(wine.data)).explained_variance_)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=(
        "eigenvalues of the standardised wine data:\n [4.7324 2.5111 1.4542 0.9242 0.8580 0.6453 0.5542 0.3505\n"
        " 0.2905 0.2523 0.2271 0.1697 0.1040]\n"))]
    printed = printed_wine_eigenvalues(nbformat.v4.new_notebook(cells=[cell]))
    assert len(printed) == 1
    problems = eigenvalue_problems(printed)
    assert problems and "StandardScaler" in problems[0], problems


def test_the_notebooks_print_the_same_wine_correlation_eigenvalues():
    lists = {}
    for assignment_id in NOTEBOOKS:
        for label, values, decimals in printed_wine_eigenvalues(notebook(assignment_id)):
            if kind_of(label) == "correlation":
                lists.setdefault(assignment_id, (values, decimals))
    assert MUST_PRINT_WINE_EIGENVALUES <= set(lists), f"wine correlation eigenvalues printed by {sorted(lists)} only"
    for (a, (va, da)), (b, (vb, db)) in itertools.combinations(lists.items(), 2):
        m, decimals = min(len(va), len(vb)), min(da, db)
        tolerance = 10.0 ** -decimals + 1e-12      # each is rounded to its own digits
        assert np.abs(va[:m] - vb[:m]).max() <= tolerance, (
            f"{a} prints the wine correlation eigenvalues {va[:m].tolist()}, {b} prints {vb[:m].tolist()}")


def paragraphs(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            yield from (p for p in re.split(r"\n\s*\n", cell.source) if p.strip())


def covariance_convention_problems(nb):
    """Paragraphs that call a 1/n matrix the covariance without setting it against n - 1."""
    return [p.strip() for p in paragraphs(nb)
            if re.search(r"covarian", p, re.I) and ONE_OVER_N.search(p) and not N_MINUS_ONE.search(p)]


@pytest.mark.parametrize("assignment_id", NOTEBOOKS)
def test_the_covariance_divides_by_n_minus_1(assignment_id):
    problems = covariance_convention_problems(notebook(assignment_id))
    if problems and assignment_id == "03_graph_embedding" and \
            hashlib.sha256(solution_path(assignment_id).read_bytes()).hexdigest() == OLD_03_SHA256:
        pytest.xfail("notebook 03 before issue 15 calls (1/n) X^T H X the covariance; branch nb03 changes it")
    assert not problems, (f"{assignment_id} calls a 1/n matrix the covariance, against the course's n - 1 "
                          "convention (or say in the same paragraph how it relates to n - 1):\n\n"
                          + "\n\n".join(problems))


@pytest.mark.parametrize("assignment_id", NOTEBOOKS)
def test_the_convention_is_stated_where_wine_is_standardised(assignment_id):
    nb = notebook(assignment_id)
    if not printed_wine_eigenvalues(nb):
        pytest.skip(f"{assignment_id} prints no wine eigenvalues")
    text = list(paragraphs(nb))
    assert any(re.search(r"covarian", p, re.I) and COVARIANCE_N_MINUS_ONE.search(p) for p in text), (
        f"{assignment_id} prints wine eigenvalues but never writes the covariance with 1/(n-1)")
    assert any(re.search(r"standard deviation", p, re.I) and (N_MINUS_ONE.search(p) or "ddof=1" in p)
               for p in text), (f"{assignment_id} prints wine eigenvalues but never says that the standard deviation "
                                "is computed with n - 1")


def test_the_convention_check_notices_a_1_over_n_covariance():
    """The paragraph check fails on the sentence issue 15 is about, and accepts the course's own wording."""
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "PCA in one line: the covariance matrix of the data is $$C = \\tfrac1n \\bar X^\\top \\bar X.$$")])
    assert covariance_convention_problems(old)
    new = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "The sample covariance is $C = \\frac{1}{n-1} X_c^\\top X_c$; the lecture's $\\tfrac1n X^\\top H X$ is the "
        "maximum-likelihood one.")])
    assert not covariance_convention_problems(new)
