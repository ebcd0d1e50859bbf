"""Image quality metrics on NumPy arrays (no torch needed; OpenCV and SciPy, training extras, are imported
only by the functions that use them, so the app's tests can score pictures with the runtime extras).

Conventions follow the super-resolution literature: PSNR/SSIM on the luma ``Y`` of ITU-R BT.601 in the
studio range 16..235 (MATLAB ``rgb2ycbcr``), inputs in 0..255.
"""

from __future__ import annotations

import numpy as np

from plugins.luma import luma


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma, 16..235, float64, from RGB in 0..255 (uint8 or float)."""
    x = np.asarray(rgb, dtype=np.float64)
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def luma_gradient(rgb: np.ndarray) -> np.ndarray:
    """Sobel (3×3) gradient magnitude of the luma, per pixel: the sharpness figures' common measure.

    Edges2photo averages it over the whole image; inpaint over the hole's interior. Both divide by the
    same figure for the ground truth, so the Sobel kernel's scale cancels.
    """
    import cv2

    gray = luma(rgb)
    return np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))


def shave(image: np.ndarray, border: int) -> np.ndarray:
    """Drop ``border`` pixels on every side (the SR protocol crops ``scale`` pixels)."""
    return image[border:-border, border:-border] if border > 0 else image


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB between two same-shape arrays."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    if mse == 0.0:
        return float("inf")
    return 10.0 * np.log10(data_range**2 / mse)


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x**2) / (2.0 * sigma**2))
    return g / g.sum()


def _filter_valid(x: np.ndarray, win: np.ndarray) -> np.ndarray:
    """Separable 'valid' correlation (as MATLAB ``filter2(..., 'valid')``)."""
    from scipy.ndimage import correlate1d

    r = len(win) // 2
    y = correlate1d(correlate1d(x, win, axis=0, mode="constant"), win, axis=1, mode="constant")
    return y[r:-r, r:-r]


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """Mean SSIM (Wang et al. 2004): 11×11 Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03, 'valid' region.

    2-D inputs are compared directly; (H, W, C) inputs are averaged over channels.
    """
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.ndim == 3:
        return float(np.mean([ssim(a[..., c], b[..., c], data_range) for c in range(a.shape[2])]))
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if min(x.shape) < 11:
        raise ValueError("SSIM needs images of at least 11×11 pixels")
    win = _gaussian_window()
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = _filter_valid(x, win), _filter_valid(y, win)
    sxx = _filter_valid(x * x, win) - mu_x**2
    syy = _filter_valid(y * y, win) - mu_y**2
    sxy = _filter_valid(x * y, win) - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2)
    return float(np.mean(num / den))


def psnr_y(sr: np.ndarray, hr: np.ndarray, border: int) -> float:
    """PSNR on BT.601 Y with ``border`` pixels shaved (uint8 RGB inputs)."""
    return psnr(shave(rgb_to_y(sr), border), shave(rgb_to_y(hr), border))


def ssim_y(sr: np.ndarray, hr: np.ndarray, border: int) -> float:
    """SSIM on BT.601 Y with ``border`` pixels shaved (uint8 RGB inputs)."""
    return ssim(shave(rgb_to_y(sr), border), shave(rgb_to_y(hr), border))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Süsstrunk (2003) colourfulness M = σ_rgyb + 0.3·μ_rgyb on RGB in 0..255."""
    x = np.asarray(rgb, dtype=np.float64)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
