"""Holst's benchmarks: speed, memory, start-up and responsiveness, run as ``python -m bench``.

Every figure in README's Performance section comes from here, measured on the machine that runs it.
Benchmarks are scripts, never timed unit tests.
"""
