"""Training, export and evaluation of the stylize filter's network (models/nets/stylize.py)."""
