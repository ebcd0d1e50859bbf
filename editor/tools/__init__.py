"""Canvas tools: mask brush/eraser, sketch pen/eraser, rectangle and lasso selection."""

from editor.tools.base import Tool
from editor.tools.brush import BrushSettings, BrushTool
from editor.tools.select import LassoSelectTool, RectSelectTool

__all__ = ["BrushSettings", "BrushTool", "LassoSelectTool", "RectSelectTool", "Tool"]
