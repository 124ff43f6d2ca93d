"""Sums, products and principal directions whose every float is the same on any CPU.

numpy's reductions, BLAS's products and LAPACK's decompositions pick their order of
operations, and with it the last bit of a result, by the processor they run on: its SIMD
width, FMA, thread count. Here every sum is the same pairwise halving built from
elementwise additions and multiplications, which IEEE 754 rounds alike everywhere.
"""

from __future__ import annotations

import math

import numpy as np

ROTATION_SWEEPS = 60  # Jacobi converges quadratically: a handful of sweeps is the rule
ITERATIONS = 300  # subspace iterations, at most
BLOCK = 8  # vectors iterated together: the top two converge like (λ₉/λ₂)^iterations
SETTLED = 1e-13  # a direction is done when ‖XᵀXv - λv‖ ≤ SETTLED·λ₁


def total(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """The sum along `axis`: each pass adds the axis's second half to its first, an odd
    entry carried to the next pass."""
    a = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1])
    while a.shape[-1] > 1:
        half = a.shape[-1] // 2
        a = np.concatenate([a[..., :half] + a[..., half : 2 * half], a[..., 2 * half :]], -1)
    return a[..., 0]


def dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(total(u * v))


def norm(v: np.ndarray) -> float:
    return math.sqrt(dot(v, v))


def row_norms(X: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.sqrt(total(X * X))
    return out


def sum_of_squares(X: np.ndarray) -> float:
    return float(total(np.square(X).ravel()))


def along(X: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """X @ dirs.T: each row of X's coordinate along each row of `dirs`."""
    return np.stack([total(X * d) for d in dirs], axis=-1)


def combine(coeffs: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """coeffs @ dirs: per row of `coeffs`, the rows of `dirs` weighted by it and added."""
    return total(coeffs[:, :, None] * dirs[None, :, :], axis=1)


def symmetric_eigen(H: list[list[float]]) -> tuple[list[float], list[list[float]]]:
    """Eigenvalues, largest first, and unit eigenvectors of a small symmetric matrix, by
    cyclic Jacobi rotations (Golub and Van Loan, algorithm 8.5.2)."""
    n = len(H)
    A = [list(row) for row in H]
    Q = [[float(i == j) for j in range(n)] for i in range(n)]  # columns: the eigenvectors
    for _ in range(ROTATION_SWEEPS):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                if abs(A[p][q]) <= 1e-18 * math.sqrt(abs(A[p][p] * A[q][q])) or not A[p][q]:
                    continue
                tau = (A[q][q] - A[p][p]) / (2.0 * A[p][q])
                t = math.copysign(1.0 / (abs(tau) + math.sqrt(1.0 + tau * tau)), tau)
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = t * c
                rotated = rotated or s != 0.0
                for M in (A, Q):  # M·J: columns p and q turned
                    for row in M:
                        row[p], row[q] = c * row[p] - s * row[q], s * row[p] + c * row[q]
                A[p], A[q] = (  # Jᵀ·(A·J): rows p and q turned
                    [c * x - s * y for x, y in zip(A[p], A[q], strict=True)],
                    [s * x + c * y for x, y in zip(A[p], A[q], strict=True)],
                )
        if not rotated:
            break
    order = sorted(range(n), key=lambda i: -A[i][i])
    return [A[i][i] for i in order], [[Q[k][i] for k in range(n)] for i in order]


def orthonormal_rows(W: np.ndarray) -> np.ndarray:
    """Gram-Schmidt over the rows of W, in order; a row that adds no new direction is dropped."""
    kept: list[np.ndarray] = []
    biggest = max((norm(w) for w in W), default=0.0)
    for w in W:
        for v in kept:
            w = w - dot(w, v) * v
        size = norm(w)
        if size > 1e-12 * biggest:
            kept.append(w / size)
    return np.array(kept).reshape(len(kept), W.shape[1])


def rayleigh_ritz(X: np.ndarray, V: np.ndarray) -> tuple[list[float], np.ndarray]:
    """The best approximations to XᵀX's eigenpairs within the span of V's orthonormal rows."""
    Y = along(X, V)
    H = [[dot(Y[:, i], Y[:, j]) for j in range(len(V))] for i in range(len(V))]
    values, Q = symmetric_eigen(H)
    return values, combine(np.array(Q).reshape(len(V), len(V)), V)


def gram_times(X: np.ndarray, V: np.ndarray) -> np.ndarray:
    """XᵀX v for each row v of V."""
    Y = along(X, V)
    return np.array([total(Y[:, [j]] * X, axis=0) for j in range(len(V))])


def leading_directions(X: np.ndarray, k: int) -> tuple[list[float], np.ndarray]:
    """Up to k leading right singular vectors of X (as rows), with their squared singular
    values: subspace iteration on XᵀX from X's own rows, a Rayleigh-Ritz step each time.

    A matrix of at most BLOCK columns is solved at once, from the whole space's axes.
    """
    m, n = X.shape
    if n <= BLOCK:
        V = np.eye(n)
    else:
        V = orthonormal_rows(X[np.linspace(0, m - 1, min(m, BLOCK)).round().astype(int)])
    values, V = rayleigh_ritz(X, V) if len(V) else ([], V)
    for _ in range(ITERATIONS):
        if not values or values[0] <= 0.0:
            break
        W = gram_times(X, V)
        tops = range(min(k, len(V)))
        if all(norm(W[i] - values[i] * V[i]) <= SETTLED * values[0] for i in tops):
            break
        values, V = rayleigh_ritz(X, orthonormal_rows(W))
    return values[:k], V[:k]
