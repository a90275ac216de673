"""course_utils.checks: each helper passes right answers and fails wrong ones with a helpful message."""

import sys

import numpy as np
import pytest

import course_utils.checks as check


def fails(match, func, *args, **kwargs):
    with pytest.raises(AssertionError, match=match):
        func(*args, **kwargs)


def test_shape_detects_a_transpose_and_a_missing_return():
    check.shape(np.zeros((150, 2)), (150, 2))
    fails(r"expected shape \(150, 2\), got \(2, 150\): did you transpose\?", check.shape, np.zeros((2, 150)), (150, 2))
    fails("did you forget to `return`", check.shape, None, (3,))
    fails("2-D instead of 1-D", check.shape, np.zeros((3, 1)), (3,))


def test_is_array():
    check.is_array(np.zeros(3), ndim=1)
    fails("should be a NumPy array, but it is a list", check.is_array, [1, 2])
    fails("should be a 2-D array", check.is_array, np.zeros(3), ndim=2)


def test_close_reports_the_largest_difference_and_hints():
    check.close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    fails(r"largest difference 0\.5 at index \(1,\)", check.close, np.array([1.0, 2.5]), np.array([1.0, 2.0]))
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    fails("equals the transpose", check.close, M.T, M)
    fails("opposite sign", check.close, -np.ones(3), np.ones(3))
    fails("should hold numbers", check.close, "abc", np.ones(3))
    fails("NaN or infinite", check.close, np.array([np.nan, 1.0]), np.ones(2))


def test_close_up_to_sign_accepts_flipped_columns_only():
    U, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))
    check.close_up_to_sign(U * np.array([1, -1, -1, 1]), U)
    check.close_up_to_sign(-U[:, 0], U[:, 0])
    fails("after matching signs", check.close_up_to_sign, U[:, [1, 0, 2, 3]], U)
    fails("yours are the rows", check.close_up_to_sign, U.T, U)


def test_close_up_to_rotation_forgives_rotations_but_not_scaling():
    X = np.random.default_rng(1).normal(size=(20, 2))
    t = 0.9
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    check.close_up_to_rotation(X @ R, X)
    check.close_up_to_rotation(X * np.array([1, -1]), X)
    fails("after the best rotation", check.close_up_to_rotation, 2 * X, X)


def test_equal_for_discrete_answers():
    check.equal(3, 3)
    check.equal(np.array([0, 1, 1]), np.array([0, 1, 1]))
    fails("expected 3, got 4", check.equal, 4, 3)
    fails("1 of 3 entries differ", check.equal, np.array([0, 1, 2]), np.array([0, 1, 1]))


def test_raises():
    def divide(a, b):
        if b == 0:
            raise ValueError("b is zero")
        return a / b

    check.raises(ValueError, divide, 1, 0, match="zero")
    fails("returned normally", check.raises, ValueError, divide, 1, 1)
    with pytest.raises(AssertionError, match="does not mention 'singular'"):
        check.raises(ValueError, divide, 1, 0, match="singular")
    fails("raised TypeError", check.raises, ValueError, divide, "a", 2)
    with pytest.raises(NotImplementedError):  # an unanswered exercise stays visible as such
        check.raises(ValueError, lambda: (_ for _ in ()).throw(NotImplementedError("stub")))


def test_forbid_blocks_module_attributes_and_imported_names_then_restores():
    from numpy.linalg import inv as imported_inv
    main = vars(sys.modules["__main__"])
    main["_borrowed_inv"] = imported_inv
    try:
        with check.forbid("numpy.linalg.inv"):
            fails("numpy.linalg.inv, which is not allowed", np.linalg.inv, np.eye(2))
            fails("not allowed", main["_borrowed_inv"], np.eye(2))
        np.testing.assert_allclose(np.linalg.inv(2 * np.eye(2)), 0.5 * np.eye(2))
        assert main["_borrowed_inv"] is imported_inv
    finally:
        del main["_borrowed_inv"]


def test_forbid_restores_even_when_the_block_fails():
    original = np.linalg.solve
    with pytest.raises(AssertionError):
        with check.forbid("numpy.linalg.solve"):
            np.linalg.solve(np.eye(2), np.ones(2))
    assert np.linalg.solve is original


def test_gradient_check_against_a_closed_form():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def f(x):
        return 0.5 * x @ A @ x

    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(check.numerical_gradient(f, x.copy()), A @ x, rtol=1e-8)
    check.gradient(A @ x, f, x)
    fails("does not match the finite-difference gradient", check.gradient, A.T @ x * 2, f, x)


def test_a_rebound_assertion_error_does_not_turn_failures_into_passes(monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "AssertionError", type("Harmless", (Exception,), {}))
    with pytest.raises(Exception) as info:
        check.close(np.ones(2), np.zeros(2))
    assert type(info.value).__name__ == "AssertionError"


def test_close_shows_the_expected_and_obtained_numbers_in_full():
    # NumPy 2 scalars print as np.float64(...); the message must show the numbers themselves, not a cut repr
    with pytest.raises(AssertionError) as info:
        check.close(np.float64(5.123456789), np.float64(5.2), name="entropy")
    message = str(info.value)
    assert "expected 5.2, got 5.123456789" in message, message
    assert "np.float64" not in message
    with pytest.raises(AssertionError) as info:
        check.close(np.array([[1.0, 2.0], [3.0, 4.25]]), np.array([[1.0, 2.0], [3.0, 4.0]]), name="L")
    message = str(info.value)
    assert "at index (1, 1) (expected 4.0, got 4.25" in message, message
    assert "Expected [[1.0, 2.0], [3.0, 4.0]], got [[1.0, 2.0], [3.0, 4.25]]" in message, message
    with pytest.raises(AssertionError, match=r"expected 3\.0, got 2\.999999"):
        check.close(2.999999, 3.0, name="x")


def test_equal_names_the_first_differing_entry():
    with pytest.raises(AssertionError, match=r"the first at index \(1, 1\): expected 5, got 4"):
        check.equal(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]]))


def test_python_int_and_float_are_told_apart_from_numpy_scalars():
    check.is_int(3)
    check.is_float(0.5)
    fails(r"should be a Python int, but it is a numpy.int64\. Convert it with int", check.is_int, np.int64(3), name="k")
    fails("should be a Python int, but it is a bool", check.is_int, True)
    fails(r"should be a Python float, but it is a numpy.float64", check.is_float, np.float64(0.5))
    fails("did you forget to `return`", check.is_int, None)


def test_case_says_which_case_raised_and_lets_stubs_and_failures_through():
    with pytest.raises(AssertionError, match="while testing a graph with an isolated node: your code raised "
                                              "LinAlgError: Matrix is not positive definite"):
        with check.case("a graph with an isolated node"):
            np.linalg.cholesky(-np.eye(2))
    with pytest.raises(NotImplementedError):
        with check.case("anything"):
            raise NotImplementedError("Exercise not answered yet")
    with pytest.raises(AssertionError, match="^expected shape"):
        with check.case("anything"):
            check.shape(np.zeros(2), (3,), name="expected shape")


def test_raises_names_the_input_that_should_have_raised():
    def returns(a, b):
        return a

    with pytest.raises(AssertionError) as info:
        check.raises(ValueError, returns, np.array([1.0, 0.0]), [1, 2], name="a zero on the diagonal")
    message = str(info.value)
    assert message.startswith("returns([1.0, 0.0], [1, 2]) (a zero on the diagonal) should raise ValueError"), message
    assert "returned normally" in message
    with pytest.raises(AssertionError, match=r"returns\(array of shape \(10, 10\), 'x'\)"):
        check.raises(ValueError, returns, np.zeros((10, 10)), "x")


def test_that_states_what_should_hold():
    check.that(True, "never shown")
    fails(r"^every row should sum to 1\.$", check.that, False, "every row should sum to 1")
