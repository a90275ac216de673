"""Typical wrong answers for notebook 04, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

ASSIGNMENT = "04_tsne"

VARIANTS = [
    # Exercise 1: entropy in bits
    Variant("nb04_ex1_answer", "natural logarithm: nats instead of bits",
            {"np.log2(nonzero)": "np.log(nonzero)"}),
    Variant("nb04_ex1_answer", "no special case for zero probabilities (0 * log 0 gives nan)",
            {"nonzero = p[p > 0]": "nonzero = p"}),
    Variant("nb04_ex1_answer", "forgets the minus sign",
            {"return float(-np.sum(": "return float(np.sum("}),
    # Exercise 2: perplexity of each row
    Variant("nb04_ex2_answer", "e to the entropy in bits (mixes the bases)",
            {"return 2.0 ** entropies": "return np.exp(entropies)"}),
    Variant("nb04_ex2_answer", "sums over the wrong axis (columns instead of rows)",
            {"axis=1)": "axis=0)"}),
    Variant("nb04_ex2_answer", "returns the entropies, not the perplexities",
            {"return 2.0 ** entropies": "return entropies"}),
    # Exercise 3: KL divergence with its edge cases
    Variant("nb04_ex3_answer", "ratio upside down: log(q / p)",
            {"np.log2(p[support] / q[support])": "np.log2(q[support] / p[support])"}),
    Variant("nb04_ex3_answer", "natural logarithm: nats instead of bits",
            {"np.log2(p[support] / q[support])": "np.log(p[support] / q[support])"}),
    Variant("nb04_ex3_answer", "no check that the shapes agree",
            {'raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")': "pass"}),
    # Exercise 4: binary search for sigma
    Variant("nb04_ex4_answer", "moves the wrong bound (search runs away from the target)",
            {"if perplexity > target:": "if perplexity < target:"}),
    Variant("nb04_ex4_answer", "perplexity as e to the entropy in bits",
            {"perplexity = 2.0 ** (": "perplexity = np.exp("}),
    Variant("nb04_ex4_answer", "Gaussian without the factor 2: exp(-d / sigma^2)",
            {"np.exp(-d / (2 * sigma**2))": "np.exp(-d / sigma**2)"}),
    # Exercise 5: joint probabilities
    Variant("nb04_ex5_answer", "not symmetrised: p_j|i / N",
            {"return (conditional + conditional.T) / (2 * n)": "return conditional / n"}),
    Variant("nb04_ex5_answer", "divides by N instead of 2N (sums to 2)",
            {"return (conditional + conditional.T) / (2 * n)": "return (conditional + conditional.T) / n"}),
    Variant("nb04_ex5_answer", "off by one: divides by 2(N - 1)",
            {"n = conditional.shape[0]": "n = conditional.shape[0] - 1"}),
    # Exercise 6: the gradient
    Variant("nb04_ex6_answer", "forgets the factor 4",
            {"return 4.0 * np.sum(": "return np.sum("}),
    Variant("nb04_ex6_answer", "differences y_j - y_i: the gradient points the wrong way",
            {"differences = Y[:, None, :] - Y[None, :, :]": "differences = Y[None, :, :] - Y[:, None, :]"}),
    Variant("nb04_ex6_answer", "unnormalised Q",
            {"Q = W / W.sum()": "Q = W"}),
]
