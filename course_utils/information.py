"""Information, entropy, perplexity, cross-entropy and KL divergence (notebook 04, sections 1-4).

Every function takes probability vectors (or arrays whose last axis holds
distributions, one per row) and a logarithm ``base`` (2 by default, so the
answers are in bits). With ``p`` the true distribution and ``q`` a model of it:

* information of an outcome x:  ``I(x) = -log p(x)``
* entropy:                       ``H(p) = -sum_i p_i log p_i``  (the expected information)
* perplexity:                    ``base ** H(p)``  (the effective number of outcomes)
* cross-entropy:                 ``H(p, q) = -sum_i p_i log q_i``
* KL divergence:                 ``D(p || q) = sum_i p_i log(p_i / q_i) = H(p, q) - H(p)``

Terms with ``p_i = 0`` contribute nothing (``0 log 0 = 0``); a term with
``q_i = 0 < p_i`` makes the cross-entropy and the KL divergence infinite.
Inputs are checked, never silently repaired: negative entries, NaN, sums
other than 1 (beyond ``atol``) and mismatched shapes raise ``ValueError``.

Example
-------
>>> from course_utils import information
>>> round(information.kl_divergence([0.9, 0.1], [0.5, 0.5]), 3)
0.531
>>> round(information.perplexity([1 / 6] * 6), 6)
6.0
"""

import numpy as np

__all__ = ["information_content", "entropy", "perplexity", "cross_entropy", "kl_divergence"]

#: How far from 1 a distribution's total may be (rounding in float64 is far smaller).
SUM_TOLERANCE = 1e-6


def _check_base(base):
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"base must be a number such as 2 or np.e, got {type(base).__name__}.")
    if not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a positive number other than 1, got {base}.")
    return float(base)


def _as_distribution(p, name, atol=SUM_TOLERANCE):
    """``p`` as a float array whose last axis holds probability distributions; a clear error otherwise."""
    try:
        array = np.asarray(p, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of probabilities, got {type(p).__name__} ({exc}).") from None
    if array.ndim == 0:
        raise ValueError(f"{name} must be a vector of probabilities (one per outcome), got the scalar {array}.")
    if array.shape[-1] == 0:
        raise ValueError(f"{name} is empty: a distribution needs at least one outcome.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    if np.any(array < 0):
        raise ValueError(f"{name} has negative entries (smallest {array.min():.4g}): probabilities are >= 0.")
    totals = array.sum(axis=-1)
    if not np.allclose(totals, 1.0, rtol=0, atol=atol):
        worst = np.ravel(totals)[np.argmax(np.abs(np.ravel(totals) - 1.0))]
        raise ValueError(f"{name} must sum to 1 (within {atol:g}) along its last axis, but a total is {worst:.6g}: "
                         f"divide by its sum if it holds counts or weights.")
    return array


def _same_shape(p, q):
    if p.shape != q.shape:
        raise ValueError(f"p and q must describe the same outcomes: p has shape {p.shape}, q has shape {q.shape}.")


def information_content(probability, base=2):
    """Information of one outcome with probability ``probability``: ``-log(probability)``.

    An outcome of probability 1/2 carries 1 bit; one of probability 2**-8
    (a given sequence of 8 fair coin flips) carries 8 bits. Works elementwise;
    an impossible outcome (probability 0) carries infinite information.
    """
    base = _check_base(base)
    probability = np.asarray(probability, dtype=float)
    if np.any(~np.isfinite(probability)) or np.any((probability < 0) | (probability > 1)):
        raise ValueError("probability must lie between 0 and 1.")
    with np.errstate(divide="ignore"):
        result = -np.log(probability) / np.log(base)
    return result + 0.0 if result.ndim else float(result) + 0.0


def entropy(p, base=2):
    """Entropy ``H(p) = -sum_i p_i log p_i`` of a distribution (of each row, for a 2-D array).

    Parameters
    ----------
    p : array-like of shape (n_outcomes,) or (..., n_outcomes)
        Probabilities, summing to 1 along the last axis.
    base : float, default=2
        Base of the logarithm: 2 gives bits, ``np.e`` gives nats.

    Returns
    -------
    float or ndarray
        Entropy in units of ``log(base)``; an array with one value per row for
        a 2-D ``p``.

    See Also
    --------
    scipy.stats.entropy : the same with ``entropy(p, base=2)`` (it normalises ``p`` itself).
    """
    base = _check_base(base)
    p = _as_distribution(p, "p")
    positive = p > 0
    log_p = np.log(np.where(positive, p, 1.0))       # 0 log 0 = 0: those terms are dropped
    result = -np.sum(np.where(positive, p * log_p, 0.0), axis=-1) / np.log(base)
    return _scalar_or_array(result)


def perplexity(p, base=2):
    """Perplexity ``base ** H(p)``: the effective number of equally likely outcomes.

    A fair die has perplexity 6, a fair coin 2, a certain outcome 1. The value
    does not depend on ``base`` (the base of the power and of the logarithm
    cancel); the argument is there for symmetry with :func:`entropy`.
    """
    base = _check_base(base)
    return _scalar_or_array(base ** np.asarray(entropy(p, base=base)))


def cross_entropy(p, q, base=2):
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i``: the average code length when coding ``p`` with ``q``.

    Equals ``entropy(p) + kl_divergence(p, q)``; infinite if some ``q_i = 0 < p_i``.
    """
    base = _check_base(base)
    p = _as_distribution(p, "p")
    q = _as_distribution(q, "q")
    _same_shape(p, q)
    positive = p > 0
    with np.errstate(divide="ignore"):
        log_q = np.log(np.where(positive, q, 1.0))     # log 0 = -inf where q_i = 0 < p_i
    result = -np.sum(np.where(positive, p * log_q, 0.0), axis=-1) / np.log(base)
    return _scalar_or_array(result)


def kl_divergence(p, q, base=2):
    """Kullback-Leibler divergence ``D(p || q) = sum_i p_i log(p_i / q_i)``.

    Non-negative, zero only when ``p == q``, not symmetric in ``p`` and ``q``,
    and infinite where ``q_i = 0 < p_i`` (``q`` calls impossible what ``p``
    says happens). Terms with ``p_i = 0`` contribute nothing.

    Parameters
    ----------
    p : array-like of shape (n_outcomes,) or (..., n_outcomes)
        The true (reference) distribution.
    q : array-like of the same shape
        The model or approximation.
    base : float, default=2
        Base of the logarithm (2: bits).

    See Also
    --------
    scipy.stats.entropy : ``entropy(p, q, base=2)`` computes the same divergence.
    scipy.special.rel_entr : the elementwise terms ``p_i log(p_i / q_i)`` in nats.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    base = _check_base(base)
    p = _as_distribution(p, "p")
    q = _as_distribution(q, "q")
    _same_shape(p, q)
    positive = p > 0
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(positive, p, 1.0)) - np.log(np.where(positive, q, 1.0))
    result = np.sum(np.where(positive, p * log_ratio, 0.0), axis=-1) / np.log(base)
    return _scalar_or_array(np.maximum(result, 0.0))   # rounding can leave -1e-17 when p == q


def _scalar_or_array(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x
