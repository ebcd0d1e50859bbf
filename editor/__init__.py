"""Holst's editor: the Qt user interface. Only this package imports Qt; image work is NumPy."""
