"""Typical wrong answers for notebook 04, applied to the solution by the grading round trip; the requirements
table of each exercise and differently written correct answers (see tests/grading/exercises.py)."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "04_tsne"

VARIANTS = [
    # Exercise 1: entropy in bits
    Variant("nb04_ex1_answer", "natural logarithm: nats instead of bits",
            {"np.log2(nonzero)": "np.log(nonzero)"}),
    Variant("nb04_ex1_answer", "no special case for zero probabilities (0 * log 0 gives nan)",
            {"nonzero = p[p > 0]": "nonzero = p"}),
    Variant("nb04_ex1_answer", "forgets the minus sign",
            {"return float(-np.sum(": "return float(np.sum("}),
    Variant("nb04_ex1_answer", "returns a NumPy float, not a Python float",
            {"return float(-np.sum(nonzero * np.log2(nonzero)))": "return -np.sum(nonzero * np.log2(nonzero))"}),
    Variant("nb04_ex1_answer", "works on arrays only (a list has no elementwise comparison)",
            {"    p = np.asarray(p, dtype=float)\n": ""}),
    Variant("nb04_ex1_answer", "calls scipy.special.entr",
            {"return float(-np.sum(nonzero * np.log2(nonzero)))":
             "from scipy.special import entr\n    return float(np.sum(entr(p)) / np.log(2))"}),
    Variant("nb04_ex1_answer", "calls scipy.stats.entropy",
            {"return float(-np.sum(nonzero * np.log2(nonzero)))": "return float(stats.entropy(p, base=2))"}),
    # Exercise 2: perplexity of each row
    Variant("nb04_ex2_answer", "e to the entropy in bits (mixes the bases)",
            {"return 2.0 ** entropies": "return np.exp(entropies)"}),
    Variant("nb04_ex2_answer", "sums over the wrong axis (columns instead of rows)",
            {"axis=1)": "axis=0)"}),
    Variant("nb04_ex2_answer", "returns the entropies, not the perplexities",
            {"return 2.0 ** entropies": "return entropies"}),
    Variant("nb04_ex2_answer", "no special case for zeros (0 * log 0 gives nan)",
            {"safe = np.where(P > 0, P, 1.0)": "safe = P"}),
    Variant("nb04_ex2_answer", "returns a list, not an array",
            {"return 2.0 ** entropies": "return list(2.0 ** entropies)"}),
    Variant("nb04_ex2_answer", "calls scipy.special.entr",
            {"entropies = -np.sum(P * np.log2(safe), axis=1)":
             "from scipy.special import entr\n    entropies = np.sum(entr(P), axis=1) / np.log(2)"}),
    Variant("nb04_ex2_answer", "calls course_utils.information.perplexity",
            {"return 2.0 ** entropies": "return information.perplexity(P)"}),
    # Exercise 3: KL divergence with its edge cases
    Variant("nb04_ex3_answer", "ratio upside down: log(q / p)",
            {"np.log2(p[support] / q[support])": "np.log2(q[support] / p[support])"}),
    Variant("nb04_ex3_answer", "natural logarithm: nats instead of bits",
            {"np.log2(p[support] / q[support])": "np.log(p[support] / q[support])"}),
    Variant("nb04_ex3_answer", "no check that the shapes agree",
            {'raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")': "pass"}),
    Variant("nb04_ex3_answer", "returns a NumPy float, not a Python float",
            {"return float(np.sum(p[support] * np.log2(p[support] / q[support])))":
             "return np.sum(p[support] * np.log2(p[support] / q[support]))"}),
    Variant("nb04_ex3_answer", "works on arrays only (a list has no shape)",
            {"    p = np.asarray(p, dtype=float)\n    q = np.asarray(q, dtype=float)\n": ""}),
    Variant("nb04_ex3_answer", "sums over every term, also those with p = 0 (0 log 0 is nan)",
            {"support = p > 0": "support = np.ones(p.shape, dtype=bool)"}),
    Variant("nb04_ex3_answer", "drops the terms where q = 0 instead of returning inf",
            {"if np.any(q[support] == 0):\n        return np.inf\n": "support = support & (q > 0)\n"}),
    Variant("nb04_ex3_answer", "divides by zero to get inf (with a RuntimeWarning)",
            {"    if np.any(q[support] == 0):\n        return np.inf\n": ""}),
    Variant("nb04_ex3_answer", "calls scipy.special.rel_entr",
            {"return float(np.sum(p[support] * np.log2(p[support] / q[support])))":
             "from scipy.special import rel_entr\n    return float(np.sum(rel_entr(p, q)) / np.log(2))"}),
    # Exercise 4: binary search for sigma
    Variant("nb04_ex4_answer", "moves the wrong bound (search runs away from the target)",
            {"if perplexity > target:": "if perplexity < target:"}),
    Variant("nb04_ex4_answer", "perplexity as e to the entropy in bits",
            {"perplexity = 2.0 ** (": "perplexity = np.exp("}),
    Variant("nb04_ex4_answer", "Gaussian without the factor 2: exp(-d / sigma^2)",
            {"np.exp(-d / (2 * sigma**2))": "np.exp(-d / sigma**2)"}),
    Variant("nb04_ex4_answer", "exponentiates without subtracting the smallest distance (0/0 for large distances)",
            {"    d = d - d.min()                         # cancels in the normalisation, avoids exp underflow\n": ""}),
    Variant("nb04_ex4_answer", "its own tolerance 1e-3 instead of tol",
            {"abs(perplexity - target) <= tol": "abs(perplexity - target) <= 1e-3"}),
    Variant("nb04_ex4_answer", "ignores max_iter (always up to 100 tries)",
            {"for step in range(max_iter):": "for step in range(100):",
             "step == max_iter - 1": "step == 99"}),
    Variant("nb04_ex4_answer", "returns the next sigma, not the last one tried, when max_iter runs out",
            {" or step == max_iter - 1": ""}),
    Variant("nb04_ex4_answer", "multiplies sigma by 10 while there is no upper bound",
            {"sigma = 2 * sigma if": "sigma = 10 * sigma if"}),
    Variant("nb04_ex4_answer", "calls course_utils.tsne.conditional_probabilities",
            {"    low, high = 0.0, np.inf\n":
             "    rows, sigmas = tsne.conditional_probabilities(d[None, :], target)\n"
             "    return float(sigmas[0]), rows[0]\n"
             "    low, high = 0.0, np.inf\n"}),
    # Exercise 5: joint probabilities
    Variant("nb04_ex5_answer", "not symmetrised: p_j|i / N",
            {"return (conditional + conditional.T) / (2 * n)": "return conditional / n"}),
    Variant("nb04_ex5_answer", "divides by N instead of 2N (sums to 2)",
            {"return (conditional + conditional.T) / (2 * n)": "return (conditional + conditional.T) / n"}),
    Variant("nb04_ex5_answer", "off by one: divides by 2(N - 1)",
            {"n = conditional.shape[0]": "n = conditional.shape[0] - 1"}),
    # Exercise 6: the gradient
    Variant("nb04_ex6_answer", "forgets the factor 4",
            {"return 4.0 * (": "return ("}),
    Variant("nb04_ex6_answer", "sums y_j - y_i: the gradient points the wrong way",
            {"M.sum(axis=1)[:, None] * Y - M @ Y": "M @ Y - M.sum(axis=1)[:, None] * Y"}),
    Variant("nb04_ex6_answer", "unnormalised Q",
            {"Q = W / W.sum()": "Q = W"}),
    Variant("nb04_ex6_answer", "keeps q_ii (the diagonal W_ii = 1 enters the normaliser)",
            {"    np.fill_diagonal(W, 0.0)                # q_ii = 0\n": ""}),
    Variant("nb04_ex6_answer", "calls course_utils.tsne.kl_divergence_and_gradient",
            {"    P = np.asarray(P, dtype=float)\n":
             "    return tsne.kl_divergence_and_gradient(P, Y, compute_error=False)[1]\n"}),
    # Exercise 7: the perplexity sweep judged by trustworthiness
    Variant("nb04_ex7_answer", "ignores judge: always judges against X",
            {"reference = X if judge is None else judge": "reference = X"}),
    Variant("nb04_ex7_answer", "passes judge=None on to trustworthiness",
            {"reference = X if judge is None else judge": "reference = judge"}),
    Variant("nb04_ex7_answer", "scikit-learn's default of 5 neighbours",
            {"trustworthiness(reference, embedding, n_neighbors=10)": "trustworthiness(reference, embedding)"}),
    Variant("nb04_ex7_answer", "scikit-learn's TSNE instead of the course's",
            {"    reference = X if judge is None else judge\n":
             "    from sklearn.manifold import TSNE\n    reference = X if judge is None else judge\n"}),
    Variant("nb04_ex7_answer", "TSNE's default of 1000 iterations",
            {'method="exact", max_iter=300, random_state=0': 'method="exact", random_state=0'}),
    Variant("nb04_ex7_answer", "a random start instead of the default PCA start",
            {'method="exact", max_iter=300, random_state=0': 'method="exact", max_iter=300, random_state=0, '
                                                               'init="random"'}),
    Variant("nb04_ex7_answer", "returns a list, not an array",
            {"return np.array(scores)": "return scores"}),
    Variant("nb04_ex7_answer", "sorts the perplexities",
            {"for perplexity in perplexities:": "for perplexity in sorted(perplexities):"}),
]

_INFORMATION = ("course_utils.information.information_content, course_utils.information.entropy, "
                "course_utils.information.perplexity, course_utils.information.cross_entropy, "
                "course_utils.information.kl_divergence")

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb04_ex1": [
        Requirement(r"Write `entropy_bits(p)`, the entropy $-\sum_i p_i \log_2 p_i$ of a probability vector `p`",
                    checks=["entropy_bits([0.5, 0.5])", "entropy_bits([1.0, 0.0])",
                            "entropy_bits of a distribution over {_p.size} outcomes"],
                    variants=["natural logarithm: nats instead of bits", "forgets the minus sign"]),
        Requirement("(a list or 1-D array)",
                    checks=["entropy_bits([0.9, 0.1])"],
                    variants=["works on arrays only (a list has no elementwise comparison)"]),
        Requirement("returned as a Python `float`.",
                    checks=["the value returned by entropy_bits([0.5, 0.5])"],
                    variants=["returns a NumPy float, not a Python float"]),
        Requirement("Outcomes with $p_i = 0$ contribute 0: your function must return a number, not `nan`, for "
                    "`[0.5, 0.0, 0.5]`.",
                    checks=["entropy_bits([0.5, 0.0, 0.5])", "entropy_bits([1.0, 0.0])"],
                    variants=["no special case for zero probabilities (0 * log 0 gives nan)"]),
        Requirement("Compute it yourself: `scipy.stats.entropy`, `scipy.special.entr` and `course_utils.information` "
                    "are not allowed here.",
                    checks=["forbid scipy.stats.entropy, scipy.special.entr, " + _INFORMATION],
                    variants=["calls scipy.special.entr", "calls scipy.stats.entropy"]),
    ],
    "nb04_ex2": [
        Requirement("returns the 1-D NumPy array of their perplexities $2^{H(\\text{row})}$ (one per row).",
                    checks=["row_perplexities(rows)", "row_perplexities of a {_shape[0]} x {_shape[1]} array",
                            "the value returned by row_perplexities(rows)",
                            "the value returned for a {_shape[0]} x {_shape[1]} array"],
                    variants=["e to the entropy in bits (mixes the bases)",
                              "sums over the wrong axis (columns instead of rows)",
                              "returns the entropies, not the perplexities", "returns a list, not an array"]),
        Requirement("Rows may contain zeros.",
                    checks=["row_perplexities(rows)", "row_perplexities of a {_shape[0]} x {_shape[1]} array"],
                    variants=["no special case for zeros (0 * log 0 gives nan)"]),
        Requirement("Compute the entropies yourself: `scipy.stats.entropy`, `scipy.special.entr` and "
                    "`course_utils.information` are not allowed here.",
                    checks=["forbid scipy.stats.entropy, scipy.special.entr, " + _INFORMATION],
                    variants=["calls scipy.special.entr", "calls course_utils.information.perplexity"]),
    ],
    "nb04_ex3": [
        Requirement(r"Write `kl_divergence_bits(p, q)` returning $D_{KL}(p\,\|\,q)$ in bits",
                    checks=["kl_divergence_bits([0.9, 0.1], [0.5, 0.5])", "kl_divergence_bits(p, p)",
                            "kl_divergence_bits for {_n} outcomes"],
                    variants=["ratio upside down: log(q / p)", "natural logarithm: nats instead of bits"]),
        Requirement("as a Python `float`,",
                    checks=["the value returned by kl_divergence_bits([0.9, 0.1], [0.5, 0.5])"],
                    variants=["returns a NumPy float, not a Python float"]),
        Requirement("(lists or 1-D arrays):",
                    checks=["kl_divergence_bits([1, 0], [0.25, 0.75])", "kl_divergence_bits([0.5, 0.5], [1, 0])"],
                    variants=["works on arrays only (a list has no shape)"]),
        Requirement("terms with $p_i = 0$ contribute 0, whatever $q_i$ is;",
                    checks=["kl_divergence_bits for {_n} outcomes", "kl_divergence_bits([1, 0], [0.25, 0.75])"],
                    variants=["sums over every term, also those with p = 0 (0 log 0 is nan)"]),
        Requirement("if some $q_i = 0$ while $p_i > 0$, return `np.inf`",
                    checks=["kl_divergence_bits([0.5, 0.5], [1, 0])", "kl_divergence_bits with q = 0 where p > 0"],
                    variants=["drops the terms where q = 0 instead of returning inf"]),
        Requirement("(without a warning: do not divide by zero);",
                    checks=["kl_divergence_bits([0.3, 0.7, 0], [0.6, 0, 0.4]) with warnings as errors"],
                    variants=["divides by zero to get inf (with a RuntimeWarning)"]),
        Requirement("if `p` and `q` have different shapes, raise a `ValueError`.",
                    checks=["p and q of different lengths"],
                    variants=["no check that the shapes agree"]),
        Requirement("`scipy.stats.entropy`, `scipy.special.rel_entr`/`kl_div` and `course_utils.information` are not "
                    "allowed here.",
                    checks=["forbid scipy.stats.entropy, scipy.special.rel_entr, scipy.special.kl_div, "
                            + _INFORMATION],
                    variants=["calls scipy.special.rel_entr"]),
    ],
    "nb04_ex4": [
        Requirement(r"Return `(sigma, p)`: the width $\sigma$ and the probability vector "
                    r"$p_j \propto \exp(-d_j / 2\sigma^2)$",
                    checks=["p", "p.sum()", "p compared with exp(-d / (2 sigma^2)) for your sigma",
                            "p for {_n} neighbours", "p against exp(-d / (2 sigma^2)) for your sigma"],
                    variants=["Gaussian without the factor 2: exp(-d / sigma^2)"]),
        Requirement("whose perplexity $2^{H(p)}$ is within `tol` of `target`.",
                    checks=["perplexity of p", "perplexity of p (target {_target}, scale {_scale})",
                            "perplexity of p with tol=1e-10"],
                    variants=["moves the wrong bound (search runs away from the target)",
                              "perplexity as e to the entropy in bits", "its own tolerance 1e-3 instead of tol"]),
        Requirement(r"Bisection on $\sigma$: keep a lower bound (start at 0) and an upper bound (start at infinity); "
                    r"start from $\sigma = 1$.",
                    checks=["sigma after max_iter={_tries} tries (target {_target})"],
                    variants=["returns the next sigma, not the last one tried, when max_iter runs out"]),
        Requirement(r"If the perplexity is too high, $\sigma$ is too large: it becomes the new upper bound; if too "
                    r"low, the new lower bound.",
                    checks=["sigma after max_iter={_tries} tries (target {_target})", "perplexity of p"],
                    variants=["moves the wrong bound (search runs away from the target)"]),
        Requirement(r"The next $\sigma$ is the midpoint of the bounds, or twice the current $\sigma$ while there is "
                    r"no upper bound yet.",
                    checks=["sigma after max_iter={_tries} tries (target {_target})"],
                    variants=["multiplies sigma by 10 while there is no upper bound"]),
        Requirement(r"Try at most `max_iter` values of $\sigma$; if none is within `tol`, return the last one tried, "
                    r"with its `p`.",
                    checks=["sigma after max_iter={_tries} tries (target {_target})",
                            "p for the last sigma tried with max_iter={_tries}"],
                    variants=["ignores max_iter (always up to 100 tries)",
                              "returns the next sigma, not the last one tried, when max_iter runs out"]),
        Requirement("Subtract the smallest distance from all of them before exponentiating: the common factor "
                    "cancels in the normalisation.",
                    checks=["perplexity of p for squared distances around {_offset:g}",
                            "p against exp(-d / (2 sigma^2)) for distances around {_offset:g}"],
                    variants=["exponentiates without subtracting the smallest distance (0/0 for large distances)"]),
        Requirement("`course_utils.tsne` is not allowed here.",
                    checks=["forbid course_utils.tsne.conditional_probabilities"],
                    variants=["calls course_utils.tsne.conditional_probabilities"]),
    ],
    "nb04_ex5": [
        Requirement(r"Return the $N \times N$ array of $p_{ij}$ defined above.",
                    checks=["joint_probabilities(conditional_3)", "joint_3 against its transpose", "joint_3.sum()",
                            "joint_3[0, 1]", "joint_probabilities for N = {_n}", "the sum of all p_ij for N = {_n}",
                            "some point has sum_j p_ij below 1/2N: check the normalisation."],
                    variants=["not symmetrised: p_j|i / N", "divides by N instead of 2N (sums to 2)",
                              "off by one: divides by 2(N - 1)"]),
    ],
    "nb04_ex6": [
        Requirement(r"Write `tsne_gradient(P, Y)` returning the $N \times d$ array $\partial C / \partial y_i$ of "
                    r"the formula above, for a symmetric $N \times N$ array `P` (zero diagonal) and an $N \times d$ "
                    r"embedding `Y`.",
                    checks=["tsne_gradient(P_6, Y_6)", "your gradient against finite differences",
                            "tsne_gradient for N = {_n}, d = {_d}",
                            "tsne_gradient against finite differences (N = {_n}, d = {_d})"],
                    variants=["forgets the factor 4", "sums y_j - y_i: the gradient points the wrong way"]),
        Requirement(r"Compute $Q$ from `Y` inside your function and remember $q_{ii} = 0$.",
                    checks=["your gradient against finite differences",
                            "tsne_gradient against finite differences (N = {_n}, d = {_d})"],
                    variants=["unnormalised Q", "keeps q_ii (the diagonal W_ii = 1 enters the normaliser)"]),
        Requirement("`course_utils.tsne` is not allowed here.",
                    checks=["forbid course_utils.tsne.kl_divergence_and_gradient, "
                            "course_utils.tsne.barnes_hut_kl_gradient, course_utils.tsne.student_t_affinities"],
                    variants=["calls course_utils.tsne.kl_divergence_and_gradient"]),
    ],
    "nb04_ex7": [
        Requirement("For each perplexity in the list `perplexities`, embed the rows of `X` in two dimensions with "
                    "the course's `TSNE(perplexity=..., method=\"exact\", max_iter=300, random_state=0)`, leaving "
                    "its other arguments at their defaults.",
                    checks=["trustworthiness_sweep for {_label}"],
                    variants=["scikit-learn's TSNE instead of the course's", "TSNE's default of 1000 iterations",
                              "a random start instead of the default PCA start"]),
        Requirement("Score each embedding with scikit-learn's `trustworthiness(judge, embedding, n_neighbors=10)`.",
                    checks=["trustworthiness_sweep for {_label}", "each score should lie between 0 and 1"],
                    variants=["scikit-learn's default of 5 neighbours"]),
        Requirement("`judge` describes the same samples by the features whose neighbourhoods you trust (for "
                    "instance the standardised ones);",
                    checks=["trustworthiness_sweep for {_label}"],
                    variants=["ignores judge: always judges against X"]),
        Requirement("when it is `None`, judge against `X` itself.",
                    checks=["trustworthiness_sweep(blob_X, [5, 20], judge=blob_X) against judge=None",
                            "trustworthiness_sweep for {_label}"],
                    variants=["passes judge=None on to trustworthiness"]),
        Requirement("Return a 1-D NumPy array with one score per perplexity, in the order of `perplexities`.",
                    checks=["trustworthiness_sweep(blob_X, [5, 20])", "the value returned for {_label}",
                            "trustworthiness_sweep for {_label}"],
                    variants=["returns a list, not an array", "sorts the perplexities"]),
    ],
}
CONTEXT = {
    "nb04_ex1": ["### Exercise 1: entropy in bits (3 points)"],
    "nb04_ex2": ["### Exercise 2: the perplexity of each row (3 points)",
                 "In t-SNE every point has its own distribution over neighbours: one **row** of a matrix.",
                 "Write `row_perplexities(P)` which, for a 2-D array `P` whose rows are probability distributions,",
                 "You can work on the whole array at once; no Python loop is needed."],
    "nb04_ex3": ["### Exercise 3: KL divergence with its edge cases (3 points)",
                 "for probability vectors `p` and `q`"],
    "nb04_ex4": ["### Exercise 4: the binary search for $\\sigma$ (3 points)",
                 "Write `sigma_for_perplexity(sq_distances, target, tol=1e-5, max_iter=100)`.",
                 r"Its input holds the squared distances $\lVert x_i - x_j \rVert^2$ from one point $i$ to the "
                 r"*other* points (point $i$ itself is not in it).",
                 r"*Numerical hint:* the hidden tests include squared distances around $10^4$ to $10^5$ that differ "
                 r"by only a few tens, so the target needs a small $\sigma$, where $\exp(-d_j / 2\sigma^2)$ is 0 "
                 r"for every $j$ and $0/0$ follows."],
    "nb04_ex5": ["### Exercise 5: the joint probabilities (3 points)",
                 "Write `joint_probabilities(conditional)`.",
                 r"Its input is the $N \times N$ array whose row $i$ holds $p_{j|i}$ (zero on the diagonal, each "
                 r"row summing to 1)."],
    "nb04_ex6": ["### Exercise 6: the gradient of t-SNE (4 points)",
                 r"Broadcasting `Y[:, None, :] - Y[None, :, :]` gives all the differences $y_i - y_j$ at once, as "
                 r"an $N \times N \times d$ array (fine at these sizes); with $M = (P - Q) \circ W$, where "
                 r"$W_{ij} = (1 + \lVert y_i - y_j\rVert^2)^{-1}$ and $W_{ii} = 0$, the same sum is "
                 r"$4\,(\operatorname{diag}(M\mathbf{1})\,Y - M\,Y)$: two matrix products and no three-dimensional "
                 r"array.",
                 r"The tests compare your gradient with **finite differences** of `kl_objective`: "
                 r"$\big(C(Y + h e_k) - C(Y - h e_k)\big) / 2h$ for every coordinate $k$."],
    "nb04_ex7": ["### Exercise 7: a perplexity sweep judged by trustworthiness (3 points)",
                 "Write `trustworthiness_sweep(X, perplexities, judge=None)`.",
                 "The hidden tests run the same t-SNE and compare the numbers: with a fixed seed the exact method "
                 "gives the same embedding every time."],
}

ALTERNATIVES = [
    # Exercise 1
    Alternative("nb04_ex1_answer", "a generator with math.log2, zeros skipped", source='''import math


def entropy_bits(p):
    return float(-sum(x * math.log2(x) for x in np.ravel(p) if x > 0))
'''),
    Alternative("nb04_ex1_answer", "natural log with a masked np.log, a dot product, then bits", source='''def entropy_bits(p):
    p = np.array(p, dtype=np.float64)
    logs = np.log(p, out=np.zeros_like(p), where=p > 0)
    return float(-(p @ logs) / np.log(2))
'''),
    # Exercise 2
    Alternative("nb04_ex2_answer", "a Python loop over the rows", source='''def row_perplexities(P):
    result = []
    for row in np.asarray(P, dtype=float):
        kept = row[row > 0]
        result.append(2 ** (-np.sum(kept * np.log2(kept))))
    return np.array(result)
'''),
    Alternative("nb04_ex2_answer", "masked np.log2 and np.exp2", source='''def row_perplexities(P):
    P = np.asarray(P, dtype=float)
    logs = np.log2(P, out=np.zeros_like(P), where=P > 0)
    return np.exp2(-(P * logs).sum(axis=-1))
'''),
    # Exercise 3
    Alternative("nb04_ex3_answer", "a Python loop with math.log2 and math.inf", source='''import math


def kl_divergence_bits(p, q):
    if np.shape(p) != np.shape(q):
        raise ValueError("p and q must have the same shape")
    total = 0.0
    for pi, qi in zip(np.ravel(p), np.ravel(q)):
        if pi > 0:
            if qi == 0:
                return math.inf
            total += pi * math.log2(pi / qi)
    return float(total)
'''),
    Alternative("nb04_ex3_answer", "np.divide with where=, after the infinite case", source='''def kl_divergence_bits(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"shapes differ: {p.shape} and {q.shape}")
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    ratio = np.divide(p, q, out=np.ones_like(p), where=p > 0)
    return float(np.sum(p * np.log2(ratio)))
'''),
    # Exercise 4
    Alternative("nb04_ex4_answer", "scipy.special.softmax (which does the shift) and entropy in nats", source='''from scipy.special import softmax


def sigma_for_perplexity(sq_distances, target, tol=1e-5, max_iter=100):
    d = np.asarray(sq_distances, dtype=float)
    low, high, sigma = 0.0, np.inf, 1.0
    for tries in range(1, max_iter + 1):
        p = softmax(-d / (2.0 * sigma * sigma))
        kept = p[p > 0]
        perplexity = np.exp(-np.sum(kept * np.log(kept)))
        if abs(perplexity - target) <= tol or tries == max_iter:
            return sigma, p
        if perplexity > target:
            high = sigma
        else:
            low = sigma
        sigma = (low + high) / 2 if high < np.inf else sigma * 2
'''),
    Alternative("nb04_ex4_answer", "a while loop and the entropy as log Z + E[d] / 2 sigma^2", source='''def sigma_for_perplexity(sq_distances, target, tol=1e-5, max_iter=100):
    d = np.asarray(sq_distances, dtype=float)
    shifted = d - np.min(d)
    bounds = [0.0, np.inf]
    sigma, tries = 1.0, 0
    while True:
        tries += 1
        log_w = -shifted / (2 * sigma ** 2)
        w = np.exp(log_w)
        z = w.sum()
        p = w / z
        perplexity = 2 ** ((np.log(z) - np.sum(p * log_w)) / np.log(2))
        if abs(perplexity - target) <= tol or tries >= max_iter:
            return sigma, p
        if perplexity > target:
            bounds[1] = sigma
        else:
            bounds[0] = sigma
        sigma = sigma * 2 if bounds[1] == np.inf else sum(bounds) / 2
'''),
    # Exercise 5
    Alternative("nb04_ex5_answer", "two Python loops", source='''def joint_probabilities(conditional):
    C = np.asarray(conditional, dtype=float)
    n = len(C)
    P = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            P[i, j] = (C[i, j] + C[j, i]) / (2 * n)
    return P
'''),
    Alternative("nb04_ex5_answer", "half the symmetric part, divided by N", source='''def joint_probabilities(conditional):
    C = np.asarray(conditional)
    return 0.5 * (C + np.transpose(C)) / np.shape(C)[0]
'''),
    # Exercise 6
    Alternative("nb04_ex6_answer", "broadcasting the N x N x d differences", source='''def tsne_gradient(P, Y):
    differences = Y[:, None, :] - Y[None, :, :]
    W = 1.0 / (1.0 + np.sum(differences**2, axis=2))
    np.fill_diagonal(W, 0.0)
    Q = W / W.sum()
    return 4.0 * np.sum(((P - Q) * W)[:, :, None] * differences, axis=1)
'''),
    Alternative("nb04_ex6_answer", "a loop over the points", source='''def tsne_gradient(P, Y):
    n = len(Y)
    W = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                W[i, j] = 1.0 / (1.0 + np.sum((Y[i] - Y[j]) ** 2))
    Q = W / W.sum()
    gradient = np.zeros_like(Y, dtype=float)
    for i in range(n):
        gradient[i] = 4.0 * ((P[i] - Q[i]) * W[i]) @ (Y[i] - Y)
    return gradient
'''),
    # Exercise 7
    Alternative("nb04_ex7_answer", "a list comprehension with fit().embedding_ and np.fromiter", source='''def trustworthiness_sweep(X, perplexities, judge=None):
    if judge is None:
        judge = X
    models = [TSNE(perplexity=value, method="exact", max_iter=300, random_state=0).fit(X) for value in perplexities]
    return np.fromiter((trustworthiness(judge, model.embedding_, n_neighbors=10) for model in models), dtype=float)
'''),
    Alternative("nb04_ex7_answer", "course_utils.manifold.TSNE, keyword arguments in another order, a preallocated array",
                source='''from course_utils.manifold import TSNE as CourseTSNE


def trustworthiness_sweep(X, perplexities, judge=None):
    scores = np.empty(len(perplexities))
    for k, value in enumerate(perplexities):
        embedding = CourseTSNE(random_state=0, max_iter=300, method="exact", perplexity=value).fit_transform(X)
        scores[k] = trustworthiness(X if judge is None else judge, embedding, n_neighbors=10)
    return scores
'''),
]
