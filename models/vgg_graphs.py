"""ONNX graphs that optimise an image against VGG statistics from NumPy (texture synthesis, own painting).

``torch.onnx`` cannot export autograd, so the gradient of a Gram (+ content) loss through the VGG conv
base is written out as forward ops and exported as one graph per loss; L-BFGS runs in NumPy
(``plugins/lbfgs.py``). The same code serves the texture filter (circular padding, a region map) and
stylize's "own painting" mode (zero padding, a content term).

Weights live in ONE file, read by every graph of both filters
    ``weights_model(net)`` → ``vgg16_conv.onnx``: no inputs; for every conv ``<conv>.weight`` (O,I,3,3),
    ``<conv>.bias`` (O,) and ``<conv>.adjoint`` (I,O,3,3) = the kernel flipped in space and transposed,
    which the backward pass convolves with. They are stored once, as float16 initializers, and cast to
    float32 inside the graph (``fp16=False`` keeps float32). For ``preprocess="caffe"`` nets the BGR
    order of conv1_1's input channels is flipped into RGB here, so the graphs take RGB 0..1 and only
    subtract the mean and scale. The filters run it once and feed its outputs to every other graph.
    The step and target graphs therefore hold no weights (a few kB each), which keeps one copy on disk.

Graphs (``LossGraph(net, style_layers, content_layer, circular)``)
    ``Targets``  (image (1,3,H,W), valid (1,1,H,W), conv weights/biases) → Gram (C_l, C_l) per style
                 layer [+ the content layer's features]. Zero padding; only feature positions whose whole
                 receptive field lies on valid pixels count (valid eroded by every conv, min-pooled by
                 every pooling), so a hole in a sample never leaks into its statistics.
    ``Step``     (x, [region], layer weights (L,), target Grams…, [content, content_weight (1,)], conv
                 weights/biases/adjoints) → (loss, dloss/dx) with
                 loss = Σ_l w_l · mean((G_l − T_l)²) [+ content_weight · mean((F − content)²)],
                 G_l = F M Fᵀ / (C·ΣM), M the region map average-pooled along with the features.

The explicit backward pass
    conv: dX = conv(pad(dY), adjoint) (circular padding's adjoint is circular, zero padding's is zero);
    ReLU: dX = dY · [pre-activation > 0]; 2×2 max pooling: nearest upsampling times [X = its block's max]
    (after a ReLU a tie means an all-zero block, whose ReLU mask is zero anyway); 2×2 average pooling:
    nearest upsampling / 4; blur pooling
    ([1,2,1]² / 16, stride 2): per axis dX[2i] = dY[i]/2, dX[2i+1] = (dY[i] + dY[i+1])/4, where dY past
    the end wraps to dY[0] (circular) or is 0 (zeros); Gram loss: 4 · w · (G − T) · F · M / (C³ · ΣM);
    content: 2 · cw · (F − P) / N. Checked against autograd through ``models.features.FeatureNet``
    (``check_step``; exact in float64 in the tests). H and W must be multiples of 2^(pools).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.export import OPSET, export_onnx
from models.features import BlurPool, FeatureNet, gram

_INT64_MIN = -(2**63)
POOLS = ("avg", "blur", "max")


def circular_pad(x: torch.Tensor, pad: int = 1) -> torch.Tensor:
    """Periodic padding by ``pad`` pixels on every side, with slices and concat (exports everywhere)."""
    x = torch.cat([x[:, :, -pad:], x, x[:, :, :pad]], dim=2)
    return torch.cat([x[:, :, :, -pad:], x, x[:, :, :, :pad]], dim=3)


def plan(net: FeatureNet, last_layer: str) -> list[tuple[str, str]]:
    """(kind, name) for the modules of ``net`` up to ``last_layer``; kind: conv | relu | avg | blur | max."""
    if last_layer not in net.layer_names:
        raise ValueError(f"{last_layer} is not in this network (it ends at {net.layer_names[-1]})")
    rows = []
    for name, module in zip(net.layer_names[: net.layer_names.index(last_layer) + 1], net.features):
        if isinstance(module, nn.Conv2d):
            kind = "conv"
        elif isinstance(module, nn.ReLU):
            kind = "relu"
        elif isinstance(module, nn.AvgPool2d):
            kind = "avg"
        elif isinstance(module, BlurPool):
            kind = "blur"
        elif isinstance(module, nn.MaxPool2d):
            kind = "max"
        else:
            raise ValueError(f"the explicit backward pass has no rule for {type(module).__name__}")
        rows.append((kind, name))
    return rows


def deepest(net: FeatureNet, layers: Sequence[str]) -> str:
    return max(layers, key=net.layer_names.index)


def pools(net: FeatureNet, layers: Sequence[str]) -> int:
    """Number of poolings before the deepest of ``layers``: canvases must be multiples of 2**this."""
    return sum(kind in POOLS for kind, _ in plan(net, deepest(net, layers)))


# ---------------------------------------------------------------------------------------------- weights


def conv_arrays(net: FeatureNet, last_layer: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(conv name, weight, bias) up to ``last_layer``, conv1_1 taking RGB (the caffe BGR flip folded in)."""
    rows = []
    convs = dict(net.convs())
    for kind, name in plan(net, last_layer):
        if kind != "conv":
            continue
        weight = convs[name].weight.detach().float()
        if name == "conv1_1" and net.preprocess == "caffe":
            weight = weight.flip(1)
        rows.append((name, weight.numpy().copy(), convs[name].bias.detach().float().numpy().copy()))
    return rows


def weights_model(net: FeatureNet, last_layer: str, *, fp16: bool = True):
    """The shared weights file as an ``onnx.ModelProto`` (see the module docstring) at the toolkit's one
    opset (``models.export.OPSET``, like every traced graph). Deterministic: the same weights always
    serialise to the same bytes."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    store = np.float16 if fp16 else np.float32
    nodes, inits, outputs = [], [], []
    for name, weight, bias in conv_arrays(net, last_layer):
        for part, array in (("weight", weight), ("bias", bias)):
            stored = f"{name}.{part}.{'fp16' if fp16 else 'fp32'}"
            inits.append(numpy_helper.from_array(array.astype(store), stored))
            nodes.append(helper.make_node("Cast", [stored], [f"{name}.{part}"], to=TensorProto.FLOAT))
            outputs.append(
                helper.make_tensor_value_info(f"{name}.{part}", TensorProto.FLOAT, list(array.shape))
            )
        flipped = f"{name}.flipped"
        axes = f"{name}.axes"
        inits += [
            numpy_helper.from_array(np.array([-1, -1], np.int64), f"{name}.starts"),
            numpy_helper.from_array(np.array([_INT64_MIN, _INT64_MIN], np.int64), f"{name}.ends"),
            numpy_helper.from_array(np.array([2, 3], np.int64), axes),
            numpy_helper.from_array(np.array([-1, -1], np.int64), f"{name}.steps"),
        ]
        nodes += [
            helper.make_node(
                "Slice",
                [f"{name}.weight", f"{name}.starts", f"{name}.ends", axes, f"{name}.steps"],
                [flipped],
            ),
            helper.make_node("Transpose", [flipped], [f"{name}.adjoint"], perm=[1, 0, 2, 3]),
        ]
        out_ch, in_ch = weight.shape[:2]
        outputs.append(
            helper.make_tensor_value_info(f"{name}.adjoint", TensorProto.FLOAT, [in_ch, out_ch, 3, 3])
        )
    graph = helper.make_graph(nodes, f"{net.arch}_conv", [], outputs, inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="holst models.vgg_graphs"
    )
    model.ir_version = 8  # what every onnxruntime ≥ 1.15 reads
    onnx.checker.check_model(model)
    return model


def write_weights(net: FeatureNet, last_layer: str, path: Path, *, fp16: bool = True) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(weights_model(net, last_layer, fp16=fp16).SerializeToString())
    return path


def param_names(net: FeatureNet, last_layer: str, adjoint: bool) -> list[str]:
    """Graph input names of the conv parameters a graph up to ``last_layer`` takes, in order."""
    parts = ("weight", "bias", "adjoint") if adjoint else ("weight", "bias")
    return [f"{name}.{part}" for kind, name in plan(net, last_layer) if kind == "conv" for part in parts]


# ------------------------------------------------------------------------------------------- the graphs


def blur_pool_backward(grad: torch.Tensor, circular: bool) -> torch.Tensor:
    """Adjoint of BlurPool: per axis dX[2i] = dY[i]/2, dX[2i+1] = (dY[i] + dY[i+1])/4 (dY[n] = dY[0] or 0)."""
    for dim in (2, 3):
        first = grad.narrow(dim, 0, 1)
        following = torch.cat(
            [grad.narrow(dim, 1, grad.shape[dim] - 1), first if circular else torch.zeros_like(first)],
            dim=dim,
        )
        grad = torch.stack([grad * 0.5, (grad + following) * 0.25], dim=dim + 1).flatten(dim, dim + 1)
    return grad


class _Backbone(nn.Module):
    """The conv base's forward and explicit backward pass with the conv parameters passed in."""

    def __init__(self, net: FeatureNet, layers: Sequence[str], circular: bool) -> None:
        super().__init__()
        self.plan = plan(net, deepest(net, layers))
        self.circular = circular
        self.register_buffer("mean", net.mean.clone())
        self.register_buffer("std", net.std.clone())
        taps = torch.tensor([0.25, 0.5, 0.25])
        for name in (n for kind, n in self.plan if kind == "blur"):
            kernel = (taps[:, None] * taps[None, :]).expand(net.channels(name), 1, 3, 3).contiguous()
            self.register_buffer(f"blur_{name}", kernel)
        self.convs = [name for kind, name in self.plan if kind == "conv"]

    def _conv(self, h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        if self.circular:
            return F.conv2d(circular_pad(h), weight, bias)
        return F.conv2d(h, weight, bias, padding=1)

    def _blur(self, h: torch.Tensor, name: str) -> torch.Tensor:
        kernel = getattr(self, f"blur_{name}")
        if self.circular:
            return F.conv2d(circular_pad(h), kernel, stride=2, groups=kernel.shape[0])
        return F.conv2d(h, kernel, stride=2, padding=1, groups=kernel.shape[0])

    def forward_pass(
        self,
        x: torch.Tensor,
        region: torch.Tensor,
        params: dict[str, torch.Tensor],
        wanted: Sequence[str],
        valid: bool = False,
    ) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], list[torch.Tensor]]:
        """{layer: (features, position weights)} and the ReLU masks. ``valid=True`` erodes ``region``
        as a validity map (targets); otherwise it is average-pooled (the step's region weights)."""
        h = (x - self.mean) / self.std
        m = region
        masks: list[torch.Tensor] = []
        feats: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        for kind, name in self.plan:
            if kind == "conv":
                h = self._conv(h, params[f"{name}.weight"], params[f"{name}.bias"])
                if valid:
                    m = -F.max_pool2d(-m, 3, stride=1, padding=1)
            elif kind == "relu":
                masks.append((h > 0).to(h.dtype))
                h = torch.relu(h)
            elif kind == "max":
                pooled = F.max_pool2d(h, 2)
                if not valid:  # the step's backward pass routes each gradient to its block's maximum
                    masks.append((h == F.interpolate(pooled, scale_factor=2.0, mode="nearest")).to(h.dtype))
                h = pooled
                m = -F.max_pool2d(-m, 2) if valid else F.avg_pool2d(m, 2)
            else:
                h = F.avg_pool2d(h, 2) if kind == "avg" else self._blur(h, name)
                if valid:  # zero-padded blur pooling keeps odd sizes' last pixel (ceil)
                    if kind == "blur":
                        m = -F.max_pool2d(-m, 3, stride=1, padding=1)
                    m = -F.max_pool2d(-m, 2, stride=2, ceil_mode=kind == "blur")
                else:
                    m = F.avg_pool2d(m, 2)
            if name in wanted:
                feats[name] = (h, m)
        return feats, masks

    def backward_pass(
        self, feat_grads: dict[str, torch.Tensor], masks: list[torch.Tensor], params: dict[str, torch.Tensor]
    ) -> torch.Tensor:
        """d loss / d x from the gradients at the loss layers (the deepest one included)."""
        masks = list(masks)
        grad = torch.zeros_like(feat_grads[self.plan[-1][1]])
        for kind, name in reversed(self.plan):
            if name in feat_grads:
                grad = grad + feat_grads[name]
            if kind == "conv":
                grad = self._conv(grad, params[f"{name}.adjoint"], None)
            elif kind == "relu":
                grad = grad * masks.pop()
            elif kind == "max":
                grad = F.interpolate(grad, scale_factor=2.0, mode="nearest") * masks.pop()
            elif kind == "avg":
                grad = F.interpolate(grad, scale_factor=2.0, mode="nearest") * 0.25
            else:
                grad = blur_pool_backward(grad, self.circular)
        return grad / self.std


def _weighted_gram(
    feat: torch.Tensor, weight_map: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(G = F M Fᵀ / (C·ΣM), F·M flattened, ΣM) of one layer."""
    _, channels, height, width = feat.shape
    flat = feat.reshape(channels, height * width)
    weighted = flat * weight_map.reshape(1, height * width)
    count = weight_map.sum().clamp_min(1e-6)
    return weighted @ flat.t() / (channels * count), weighted, count


class Step(nn.Module):
    """(x, [region], layer weights, *targets, [content, content_weight], *conv params) → (loss, grad)."""

    def __init__(
        self,
        net: FeatureNet,
        style_layers: Sequence[str],
        content_layer: str | None = None,
        *,
        circular: bool,
        region: bool,
    ) -> None:
        super().__init__()
        self.style_layers = tuple(style_layers)
        self.content_layer = content_layer
        layers = [*self.style_layers, *([content_layer] if content_layer else [])]
        self.backbone = _Backbone(net, layers, circular)
        self.region = region
        self.params = param_names(net, deepest(net, layers), adjoint=True)

    def input_names(self) -> list[str]:
        names = [
            "x",
            *(["region"] if self.region else []),
            "weights",
            *[f"target_{n}" for n in self.style_layers],
        ]
        if self.content_layer:
            names += ["content", "content_weight"]
        return names + self.params

    def forward(self, *args: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        named = dict(zip(self.input_names(), args, strict=True))
        x = named["x"]
        region = named["region"] if self.region else torch.ones_like(x[:, :1])
        wanted = [*self.style_layers, *([self.content_layer] if self.content_layer else [])]
        feats, masks = self.backbone.forward_pass(x, region, named, wanted)
        weights = named["weights"]
        loss = torch.zeros((), dtype=x.dtype)
        grads: dict[str, torch.Tensor] = {}
        for index, name in enumerate(self.style_layers):
            feat, weight_map = feats[name]
            g, weighted, count = _weighted_gram(feat, weight_map)
            diff = g - named[f"target_{name}"]
            loss = loss + weights[index] * (diff * diff).mean()
            channels = feat.shape[1]
            grads[name] = ((4.0 * weights[index] / (channels**3 * count)) * (diff @ weighted)).reshape(
                feat.shape
            )
        if self.content_layer:
            feat = feats[self.content_layer][0]
            diff = feat - named["content"]
            content_weight = named["content_weight"][0]
            loss = loss + content_weight * (diff * diff).mean()
            count = torch.ones_like(diff).sum()  # a graph op, so the exported size stays dynamic
            extra = 2.0 * content_weight * diff / count
            grads[self.content_layer] = (
                grads[self.content_layer] + extra if self.content_layer in grads else extra
            )
        return loss, self.backbone.backward_pass(grads, masks, named)


class Targets(nn.Module):
    """(image, valid, *conv weights/biases) → Gram per style layer [+ content features]; zero padding."""

    def __init__(
        self, net: FeatureNet, style_layers: Sequence[str], content_layer: str | None = None
    ) -> None:
        super().__init__()
        self.style_layers = tuple(style_layers)
        self.content_layer = content_layer
        layers = [*self.style_layers, *([content_layer] if content_layer else [])]
        self.backbone = _Backbone(net, layers, circular=False)
        self.params = param_names(net, deepest(net, layers), adjoint=False)

    def input_names(self) -> list[str]:
        return ["image", "valid", *self.params]

    def output_names(self) -> list[str]:
        return [f"gram_{n}" for n in self.style_layers] + (["content"] if self.content_layer else [])

    def forward(self, *args: torch.Tensor) -> tuple[torch.Tensor, ...]:
        named = dict(zip(self.input_names(), args, strict=True))
        wanted = [*self.style_layers, *([self.content_layer] if self.content_layer else [])]
        feats, _ = self.backbone.forward_pass(named["image"], named["valid"], named, wanted, valid=True)
        out = []
        for name in self.style_layers:
            feat, valid = feats[name]
            out.append(_weighted_gram(feat, valid)[0])
        if self.content_layer:
            out.append(feats[self.content_layer][0])
        return tuple(out)


# --------------------------------------------------------------------------------------- export, checks


def conv_params(net: FeatureNet, names: Sequence[str]) -> dict[str, torch.Tensor]:
    """The conv parameters of ``net`` under the weights file's output names (float32, RGB conv1_1)."""
    out: dict[str, torch.Tensor] = {}
    for name, weight, bias in conv_arrays(net, net.layer_names[-1]):
        out[f"{name}.weight"] = torch.from_numpy(weight)
        out[f"{name}.bias"] = torch.from_numpy(bias)
        out[f"{name}.adjoint"] = torch.from_numpy(
            np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
        )
    return {n: out[n] for n in names}


def _dynamic(
    names: Sequence[str], images: Sequence[str], outputs: dict[str, str]
) -> dict[str, dict[int, str]]:
    axes = {name: {2: f"{name}_h", 3: f"{name}_w"} for name in images if name in names}
    for output, like in outputs.items():
        axes[output] = {2: f"{like}_h", 3: f"{like}_w"}
    return axes


def export_step(step: Step, net: FeatureNet, path: Path, size: tuple[int, int] = (64, 96)) -> Path:
    """Trace ``step`` on random inputs of ``size`` and write it (dynamic H and W)."""
    example = step_inputs(step, net, size, seed=0)
    names = step.input_names()
    return export_onnx(
        step,
        tuple(example[n] for n in names),
        path,
        input_names=names,
        output_names=["loss", "grad"],
        dynamic_axes=_dynamic(names, ("x", "region", "content"), {"grad": "x"}),
    )


def export_targets(targets: Targets, net: FeatureNet, path: Path, size: tuple[int, int] = (64, 80)) -> Path:
    params = conv_params(net, targets.params)
    example = (
        torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(0)),
        torch.ones(1, 1, *size),
        *params.values(),
    )
    outputs = targets.output_names()
    dynamic = _dynamic(
        targets.input_names(), ("image", "valid"), {"content": "image"} if targets.content_layer else {}
    )
    return export_onnx(
        targets, example, path, input_names=targets.input_names(), output_names=outputs, dynamic_axes=dynamic
    )


def step_inputs(step: Step, net: FeatureNet, size: tuple[int, int], seed: int) -> dict[str, torch.Tensor]:
    """Random but plausible inputs for ``step`` (targets from another random image), by input name."""
    gen = torch.Generator().manual_seed(seed)
    reference = Targets(net, step.style_layers, step.content_layer)
    params = conv_params(net, sorted(set(step.params) | set(reference.params)))
    sample = torch.rand(1, 3, size[0] + 8, size[1] + 8, generator=gen)
    target_out = reference(sample, torch.ones_like(sample[:, :1]), *(params[n] for n in reference.params))
    out: dict[str, torch.Tensor] = {"x": torch.rand(1, 3, *size, generator=gen)}
    if step.region:
        region = torch.zeros(1, 1, *size)
        region[:, :, size[0] // 4 :, size[1] // 3 :] = 1.0
        out["region"] = region
    out["weights"] = torch.linspace(1.0, 2.0, len(step.style_layers))
    for name, gram_target in zip(step.style_layers, target_out):
        out[f"target_{name}"] = gram_target.detach()
    if step.content_layer:
        photo = torch.rand(1, 3, *size, generator=gen)
        out["content"] = net(photo, [step.content_layer])[step.content_layer].detach()
        out["content_weight"] = torch.tensor([0.7])
    out.update({n: params[n] for n in step.params})
    return out


def reference_loss(step: Step, net: FeatureNet, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    """The step's loss through ``net`` (its own padding and pooling) and autograd: the ground truth."""
    x = inputs["x"]
    region = inputs.get("region", torch.ones_like(x[:, :1]))
    layers = [*step.style_layers, *([step.content_layer] if step.content_layer else [])]
    feats = net(x, layers)
    total = torch.zeros((), dtype=x.dtype)
    for index, name in enumerate(step.style_layers):
        feat = feats[name]
        m = F.adaptive_avg_pool2d(region, feat.shape[2:]) if feat.shape[2:] != region.shape[2:] else region
        flat = feat.reshape(feat.shape[1], -1)
        weighted = flat * m.reshape(1, -1)
        g = weighted @ flat.t() / (feat.shape[1] * m.sum())
        total = total + inputs["weights"][index] * (g - inputs[f"target_{name}"]).pow(2).mean()
    if step.content_layer:
        diff = feats[step.content_layer] - inputs["content"]
        total = total + inputs["content_weight"][0] * diff.pow(2).mean()
    return total


def check_step(path: Path, step: Step, net: FeatureNet, size: tuple[int, int] = (48, 80)) -> float:
    """Max relative error of the exported graph's loss and gradient against autograd, at a new size."""
    import onnxruntime as ort

    inputs = step_inputs(step, net, size, seed=1)
    x = inputs["x"].clone().requires_grad_(True)
    ref = reference_loss(step, net, {**inputs, "x": x})
    ref.backward()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    loss, grad = session.run(None, {n: inputs[n].numpy() for n in step.input_names()})
    loss_err = abs(float(loss) - ref.item()) / max(abs(ref.item()), 1e-12)
    return max(float(np.abs(grad - x.grad.numpy()).max() / x.grad.abs().max()), loss_err)


def with_padding(net: FeatureNet, padding: str) -> FeatureNet:
    """The same network (layout, pooling, weights) with another padding."""
    twin = FeatureNet(
        arch=net.arch,
        pool=net.pool,
        padding=padding,
        width=net.width,
        last_layer=net.layer_names[-1],
        init="kaiming",
        preprocess=net.preprocess,
    )
    twin.load_convs({name: (conv.weight, conv.bias) for name, conv in net.convs()})
    return twin


def check_targets(path: Path, targets: Targets, net: FeatureNet, size: tuple[int, int] = (90, 70)) -> float:
    """Max relative error of the exported targets against ``net`` (zero padding) at a new, odd size."""
    import onnxruntime as ort

    net = with_padding(net, "zeros")
    image = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(2))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    params = {n: t.numpy() for n, t in conv_params(net, targets.params).items()}
    got = session.run(None, {"image": image.numpy(), "valid": np.ones((1, 1, *size), np.float32), **params})
    layers = [*targets.style_layers, *([targets.content_layer] if targets.content_layer else [])]
    feats = net(image, layers)
    want = [gram(feats[n])[0] for n in targets.style_layers]
    if targets.content_layer:
        want.append(feats[targets.content_layer])
    return max(float(np.abs(a - b.numpy()).max() / b.abs().max()) for a, b in zip(got, want, strict=True))


def export_depth(net: FeatureNet, out: Path, targets: Targets, target_file: str, step: Step,
                 step_file: str) -> dict[str, float]:
    """One depth's target and step graphs written into ``out``, each checked against torch: file → error."""
    return {target_file: check_targets(export_targets(targets, net, out / target_file), targets, net),
            step_file: check_step(export_step(step, net, out / step_file), step, net)}


def require_parity(errors: dict[str, float], tolerance: float) -> None:
    """Print every graph's parity error; stop (SystemExit) when one is above ``tolerance``."""
    for name, error in errors.items():
        print(f"{name}: parity vs torch {error:.2e}")
    bad = {n: e for n, e in errors.items() if e > tolerance}
    if bad:
        raise SystemExit(f"parity above {tolerance:g}: {bad}")
