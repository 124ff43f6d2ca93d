"""Fixed-order linear algebra, checked against exact sums and LAPACK's decompositions."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnreel.core.fixed_order import leading_directions, symmetric_eigen, total

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(st.lists(finite, max_size=70))
def test_a_total_is_within_rounding_of_the_exact_sum(values: list[float]) -> None:
    exact = sum(map(Fraction, values), Fraction(0))
    scale = sum(abs(v) for v in values) or 1.0
    # pairwise summation: error at most about log2(n)·ε·Σ|v|
    assert abs(Fraction(float(total(np.array(values)))) - exact) <= 8 * 2**-52 * scale


def test_a_total_adds_along_the_axis_it_is_given() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    assert total(a).tolist() == a.sum(axis=-1).tolist()  # small integers: exact either way
    assert total(a, axis=0).tolist() == a.sum(axis=0).tolist()
    assert total(a, axis=1).tolist() == a.sum(axis=1).tolist()
    assert total(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]


def test_a_total_pairs_in_halves_with_the_odd_entry_carried() -> None:
    # [1e16, 1, -1e16, 1, 1] adds as ((1e16 + -1e16) + (1 + 1)) + 1 = 3; left to right gives 2
    assert float(total(np.array([1e16, 1.0, -1e16, 1.0, 1.0]))) == 3.0


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_jacobi_finds_the_eigenpairs_of_a_symmetric_matrix(n: int) -> None:
    rng = np.random.default_rng(n)
    B = rng.normal(size=(n, n))
    H = B + B.T
    values, vectors = symmetric_eigen(H.tolist())
    assert np.allclose(values, np.sort(np.linalg.eigvalsh(H))[::-1], atol=1e-12)
    V = np.array(vectors)
    assert np.allclose(V @ V.T, np.eye(n), atol=1e-12)
    assert np.allclose(H @ V.T, V.T * values, atol=1e-10)


def path_like(m: int, n: int, seed: int) -> np.ndarray:
    """m rows in n dimensions spread like a training path's: singular value i is 1/i²."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(m, min(m, n))))
    W, _ = np.linalg.qr(rng.normal(size=(n, min(m, n))))
    s = 1.0 / np.arange(1, min(m, n) + 1) ** 2
    out: np.ndarray = (U * s) @ W.T
    return out


@pytest.mark.parametrize(("m", "n"), [(601, 6), (601, 7), (40, 19), (5, 30), (300, 500)])
def test_leading_directions_are_the_singular_vectors_lapack_finds(m: int, n: int) -> None:
    X = path_like(m, n, seed=m + n)
    squares, V = leading_directions(X, 2)
    _, S, Vt = np.linalg.svd(X, full_matrices=False)
    assert np.allclose(squares, S[:2] ** 2, rtol=1e-10)
    for mine, lapack in zip(V, Vt[:2], strict=True):
        assert abs(abs(float(mine @ lapack)) - 1.0) < 1e-10  # the same line, either sign


def test_a_rank_one_path_has_one_direction() -> None:
    X = np.outer(np.linspace(-1, 1, 50), np.arange(1.0, 13.0))
    squares, V = leading_directions(X, 2)
    assert squares[0] == pytest.approx(float((X * X).sum()), rel=1e-12)
    assert len(squares) == 1 or squares[1] <= 1e-20 * squares[0]
    assert abs(float(V[0] @ np.arange(1.0, 13.0))) == pytest.approx(math.sqrt(650), rel=1e-12)
