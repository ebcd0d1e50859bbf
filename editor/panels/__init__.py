"""Dock panels: filters (with the generated parameter form), layers, mask, sketch, tool options."""
