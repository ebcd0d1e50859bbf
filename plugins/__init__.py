"""Holst's Qt-free filter layer: the filter contract, plugin discovery, the onnxruntime layer,
tiling and the image file layer. Never imports Qt or torch."""
