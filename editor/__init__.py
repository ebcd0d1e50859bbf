"""Holst's editor: the Qt user interface. Only this package imports Qt; image work is NumPy."""

from editor import qtfix  # noqa: F401  (must run before any other Qt use: see its docstring)
