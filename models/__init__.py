"""Holst's training side (PyTorch): data, nets, losses, training loop helpers, ONNX export, evaluation.

Never imported by the app (``editor/``, ``plugins/``, ``main.py``); it writes ONNX files into ``plugins/``.
"""
