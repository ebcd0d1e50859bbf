"""User-facing errors. ``str(err)`` is always one clear sentence that can be shown as it is."""

from __future__ import annotations


class HolstError(Exception):
    """Base of every failure the user should read about (not a bug in Holst)."""


class ImageLoadError(HolstError):
    """A file could not be read as an image."""


class ImageSaveError(HolstError):
    """An image could not be written; the previous file, if any, is intact."""


class ParamError(HolstError):
    """A filter parameter is unknown, malformed or out of range."""


class PluginError(HolstError):
    """A plugin is broken: bad manifest, import failure, exception or wrong output."""


class ModelMissingError(PluginError):
    """The filter's ONNX file is not there (the model has not been trained yet)."""


class ModelIntegrityError(PluginError):
    """The filter's ONNX file does not match the SHA-256 in its manifest."""


class OutOfMemory(HolstError):
    """A run needed more memory than there is (the CPU's RAM, or a device's memory)."""


class GpuOutOfMemory(OutOfMemory):
    """The execution provider ran out of device memory."""


class Cancelled(HolstError):
    """The user cancelled the job. Not shown as an error: the job just stops."""
