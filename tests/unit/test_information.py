"""course_utils.information against SciPy and closed forms (notebook 04, sections 1-3)."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import rel_entr

from course_utils import information


def random_distribution(rng, n, zeros=0):
    p = rng.dirichlet(np.ones(n))
    if zeros:
        p[rng.choice(n, zeros, replace=False)] = 0.0
        p /= p.sum()
    return p


@pytest.mark.parametrize("base", [2, np.e, 10])
@pytest.mark.parametrize("n, zeros", [(2, 0), (5, 0), (12, 3), (40, 10)])
def test_entropy_agrees_with_scipy(base, n, zeros):
    rng = np.random.default_rng(n + zeros)
    for _ in range(5):
        p = random_distribution(rng, n, zeros)
        assert information.entropy(p, base=base) == pytest.approx(stats.entropy(p, base=base), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("base", [2, np.e])
def test_kl_divergence_agrees_with_scipy(base):
    rng = np.random.default_rng(1)
    for n in [2, 3, 8, 30]:
        for _ in range(5):
            p, q = random_distribution(rng, n, zeros=n // 3), random_distribution(rng, n)
            expected = stats.entropy(p, q, base=base)
            assert information.kl_divergence(p, q, base=base) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cross_entropy_is_entropy_plus_kl_and_matches_its_definition():
    rng = np.random.default_rng(2)
    for n in [2, 4, 16]:
        p, q = random_distribution(rng, n, zeros=1), random_distribution(rng, n)
        by_definition = -sum(pi * np.log2(qi) for pi, qi in zip(p, q) if pi > 0)
        assert information.cross_entropy(p, q) == pytest.approx(by_definition, rel=1e-12)
        assert information.cross_entropy(p, q) == pytest.approx(
            stats.entropy(p, base=2) + stats.entropy(p, q, base=2), rel=1e-12)


def test_rows_of_a_2d_array_are_separate_distributions():
    rng = np.random.default_rng(3)
    P = rng.dirichlet(np.ones(6), size=4)
    Q = rng.dirichlet(np.ones(6), size=4)
    np.testing.assert_allclose(information.entropy(P), stats.entropy(P, base=2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(information.kl_divergence(P, Q), stats.entropy(P, Q, base=2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(information.perplexity(P), 2.0 ** stats.entropy(P, base=2, axis=1), rtol=1e-12)


def test_worked_examples_of_the_notebook():
    # 8 fair coin flips: 256 equally likely sequences, one of them carries 8 bits; the entropy is 8 bits.
    assert information.information_content(0.5 ** 8) == pytest.approx(8.0)
    assert information.entropy(np.full(256, 1 / 256)) == pytest.approx(8.0)
    assert information.perplexity(np.full(256, 1 / 256)) == pytest.approx(256.0)
    assert information.perplexity(np.full(6, 1 / 6)) == pytest.approx(6.0)        # a fair die
    assert information.perplexity([0.5, 0.5]) == pytest.approx(2.0)
    assert information.perplexity([1.0, 0.0, 0.0]) == pytest.approx(1.0)
    # Erratum 3: the biased coin against a fair one is 0.531 bits, not 0.603.
    expected = 0.9 * np.log2(0.9 / 0.5) + 0.1 * np.log2(0.1 / 0.5)
    assert information.kl_divergence([0.9, 0.1], [0.5, 0.5]) == pytest.approx(expected, rel=1e-12)
    assert round(information.kl_divergence([0.9, 0.1], [0.5, 0.5]), 3) == 0.531


def test_perplexity_does_not_depend_on_the_base():
    p = np.array([0.7, 0.2, 0.1])
    assert information.perplexity(p, base=np.e) == pytest.approx(information.perplexity(p, base=2), rel=1e-12)
    assert information.perplexity(p) == pytest.approx(np.exp(stats.entropy(p)), rel=1e-12)


def test_kl_properties():
    rng = np.random.default_rng(4)
    p, q = random_distribution(rng, 5), random_distribution(rng, 5)
    assert information.kl_divergence(p, p) == 0.0
    assert information.kl_divergence(p, q) > 0
    assert information.kl_divergence(p, q) != pytest.approx(information.kl_divergence(q, p))
    # Q = 0 where P > 0: infinite, in agreement with SciPy; P = 0 where Q > 0: those terms vanish.
    assert information.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert stats.entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert information.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert information.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    assert information.kl_divergence([1.0, 0.0], [0.5, 0.5], base=np.e) == pytest.approx(rel_entr(1.0, 0.5))


def test_zero_probabilities_contribute_nothing_to_the_entropy():
    assert information.entropy([0.5, 0.0, 0.5]) == pytest.approx(1.0)
    assert information.entropy([1.0, 0.0]) == 0.0
    with np.errstate(all="raise"):            # no 0 * log 0 warnings on the way
        information.entropy([0.25, 0.0, 0.75])
        information.kl_divergence([0.25, 0.0, 0.75], [0.5, 0.5, 0.0])


@pytest.mark.parametrize("func", [information.entropy, information.perplexity])
@pytest.mark.parametrize("bad, message", [
    ([0.5, -0.1, 0.6], "negative"),
    ([0.5, 0.4], "sum to 1"),
    ([3, 1], "sum to 1"),
    ([0.5, np.nan, 0.5], "NaN"),
    ([], "empty"),
    (0.5, "vector"),
])
def test_invalid_distributions_are_refused(func, bad, message):
    with pytest.raises(ValueError, match=message):
        func(bad)


def test_sums_within_tolerance_are_accepted_and_others_not():
    information.entropy([0.5 + 1e-9, 0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        information.entropy([0.5 + 1e-4, 0.5])


@pytest.mark.parametrize("func", [information.kl_divergence, information.cross_entropy])
def test_two_argument_functions_check_both_arguments_and_their_shapes(func):
    with pytest.raises(ValueError, match="same outcomes"):
        func([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="q .*negative"):
        func([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match="p must sum to 1"):
        func([0.5, 0.6], [0.5, 0.5])


def test_base_is_validated():
    with pytest.raises(ValueError, match="base"):
        information.entropy([0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="base"):
        information.entropy([0.5, 0.5], base=-2)
    with pytest.raises(TypeError, match="base"):
        information.entropy([0.5, 0.5], base="2")


def test_information_content_of_outcomes():
    np.testing.assert_allclose(information.information_content([1.0, 0.5, 0.25]), [0.0, 1.0, 2.0])
    assert information.information_content(0.0) == np.inf
    assert information.information_content(np.exp(-1), base=np.e) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        information.information_content(1.5)


def test_importing_course_utils_does_not_import_numba_or_torch():
    import subprocess
    import sys

    code = ("import sys, course_utils, course_utils.information; "
            "print('numba' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
