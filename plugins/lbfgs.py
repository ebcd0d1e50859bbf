"""A small L-BFGS minimiser in NumPy (two-loop recursion, backtracking Armijo line search).

The app may not depend on SciPy or torch, and the objective here is an onnxruntime call, so the
optimiser only needs ``f(x) -> (value, gradient)`` and counts evaluations: every evaluation is one
run of the ONNX step graph, which is what costs time. ``callback`` runs after every evaluation
(progress and cancellation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS: a multi-threaded BLAS ``ddot`` competing with onnxruntime's threads
    for two cores was measured to make each L-BFGS step 0.3 s slower."""
    return float(np.multiply(a, b).sum())


#: Weight of ``range_penalty`` (per pixel value, divided by the number of values) that both filters use.
RANGE_PENALTY = 10.0


def range_penalty(flat: np.ndarray) -> tuple[float, np.ndarray]:
    """A soft penalty that keeps pixel values inside 0..1 during an optimisation, and its gradient:
    RANGE_PENALTY / N · Σ (distance outside 0..1)²."""
    weight = RANGE_PENALTY / flat.size
    over = np.maximum(flat - 1.0, 0.0) + np.minimum(flat, 0.0)
    return weight * float(np.multiply(over, over).sum()), 2.0 * weight * over


def minimize(f: Objective, x0: np.ndarray, max_evals: int, *, history: int = 8, first_step: float = 0.05,
             callback: Callable[[int], None] | None = None) -> tuple[np.ndarray, float]:
    """Minimise ``f`` from ``x0`` with at most ``max_evals`` evaluations; returns (best x, its value).

    ``first_step`` is the largest change of any coordinate on the first (steepest-descent) step,
    which sets the scale since the gradient of a Gram loss is tiny per pixel.
    """
    x = x0.astype(np.float64).ravel()
    value, grad = f(x)
    evals = 1
    if callback is not None:
        callback(evals)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    while evals < max_evals:
        direction = -_two_loop(grad, s_hist, y_hist)
        slope = _dot(grad, direction)
        if not s_hist or slope >= 0.0:
            s_hist.clear()
            y_hist.clear()
            direction = -grad
            slope = _dot(grad, direction)
            step = first_step / max(float(np.abs(grad).max()), 1e-30)
        else:
            step = 1.0
        if slope == 0.0:
            break
        accepted = False
        while evals < max_evals:
            candidate = x + step * direction
            new_value, new_grad = f(candidate)
            evals += 1
            if callback is not None:
                callback(evals)
            if np.isfinite(new_value) and new_value <= value + 1e-4 * step * slope:
                accepted = True
                break
            step *= 0.3
        if not accepted:
            break
        s = candidate - x
        y = new_grad - grad
        if _dot(s, y) > 1e-12 * _dot(y, y):
            s_hist.append(s)
            y_hist.append(y)
            if len(s_hist) > history:
                s_hist.pop(0)
                y_hist.pop(0)
        x, value, grad = candidate, new_value, new_grad
    return x.reshape(x0.shape), value


def _two_loop(grad: np.ndarray, s_hist: list[np.ndarray], y_hist: list[np.ndarray]) -> np.ndarray:
    """H·grad for the L-BFGS inverse-Hessian estimate (identity scaled by sᵀy / yᵀy)."""
    q = grad.copy()
    alphas = []
    for s, y in zip(reversed(s_hist), reversed(y_hist)):
        rho = 1.0 / _dot(y, s)
        alpha = rho * _dot(s, q)
        q -= alpha * y
        alphas.append((rho, alpha))
    if s_hist:
        q *= _dot(s_hist[-1], y_hist[-1]) / _dot(y_hist[-1], y_hist[-1])
    for (s, y), (rho, alpha) in zip(zip(s_hist, y_hist), reversed(alphas)):
        beta = rho * _dot(y, q)
        q += (alpha - beta) * s
    return q
