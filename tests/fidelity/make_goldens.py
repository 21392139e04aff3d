#!/usr/bin/python3
"""Makes the fidelity golden files of tests/fidelity with PyTorch's own evaluation pipeline.

Run once with Debian's packages (apt-get install python3-torch python3-torchvision python3-onnx
python3-pil; /usr/bin/python3, not a pyenv python):

    tests/fidelity/make_goldens.py                       # remake the committed goldens
    tests/fidelity/make_goldens.py --resnet18 DIR        # ResNet-18 and its reference, not committed
    tests/fidelity/make_goldens.py --compare DIR/reference.f32 predictions.jsonl

The C# tests read what this writes without torch (tests/Inference.Tests/Fidelity):
  crops/<interpolation>/<photo>.png  torchvision Resize(256) + CenterCrop(224) of a photo, lossless
  exact/<case>.png, exact/<case>.<interpolation>.png
                                     a lossless input and PIL's Resize + CenterCrop of it: the same
                                     decoded pixels on both sides, so the resampling must match exactly
  small-cnn.batchnorm.json           a small CNN of torchvision layers, its weights drawn by SplitMix64
                                     (the ModelZoo's SeededWeights, seed 20240601) and its batch-norm
                                     statistics calibrated on the photos: the tests build the ONNX graph
                                     from the two as torch.onnx.export writes it (no model is committed)
  small-cnn.labels.txt               its labels in synset form ("n01440764 tench")
  small-cnn.reference.f32            PyTorch's softmax for every photo: photos x 1000 float32, little endian
  photos.txt                         the photo file names, in the order of the reference rows
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parent.parent.parent / "shared" / "datasets"
PHOTOS = DATASETS / "imagenet-sample-200"
CLASSES = DATASETS / "imagenet-classes.tsv"
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
MODES = {"bilinear": transforms.InterpolationMode.BILINEAR, "bicubic": transforms.InterpolationMode.BICUBIC}
# Every n-th photo, and every photo large enough to decode at a reduced JPEG scale (shorter side
# at least twice 256): 31 crops bilinear, 16 bicubic.
CROP_STEP = {"bilinear": 10, "bicubic": 40}


def photos():
    return sorted(PHOTOS.iterdir(), key=lambda p: p.name)


def load_rgb(path):
    # torchvision's default loader (datasets.folder.pil_loader).
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def geometry(mode="bilinear"):
    return transforms.Compose([transforms.Resize(256, interpolation=MODES[mode]), transforms.CenterCrop(224)])


def evaluation():
    return transforms.Compose([geometry(), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def write_crops():
    for mode, step in CROP_STEP.items():
        folder = HERE / "crops" / mode
        folder.mkdir(parents=True, exist_ok=True)
        for index, path in enumerate(photos()):
            image = load_rgb(path)
            if index % step == 0 or min(image.size) >= 512:
                geometry(mode)(image).save(folder / (path.stem + ".png"), optimize=True)


def exact_inputs():
    """Lossless inputs: a photo region (small shrink), a sharp pattern (large shrink), a tiny one (upscale)."""
    photo = load_rgb(photos()[3]).crop((40, 30, 40 + 377, 30 + 283))
    y, x = np.mgrid[0:700, 0:1000]
    pattern = np.stack([
        ((x // 3 + y // 5) % 2) * 255,              # fine checks: aliasing shows at once
        np.where((x * x + y * y) % 9000 < 4500, 230, 20),
        ((x + 2 * y) % 64) * 4,                    # ramps with hard steps
    ], axis=-1).astype(np.uint8)
    tiny = load_rgb(photos()[10]).resize((61, 45), Image.Resampling.BOX)
    return {"photo-377x283": photo, "pattern-1000x700": Image.fromarray(pattern, "RGB"), "tiny-61x45": tiny}


def write_exact():
    folder = HERE / "exact"
    folder.mkdir(exist_ok=True)
    for name, image in exact_inputs().items():
        image.save(folder / (name + ".png"), optimize=True)
        for mode in MODES:
            geometry(mode)(image).save(folder / f"{name}.{mode}.png", optimize=True)


def small_cnn():
    """Four stride-2 conv blocks and a linear head, about 180k parameters (0.7 MB)."""
    from torchvision.ops import Conv2dNormActivation
    return torch.nn.Sequential(
        Conv2dNormActivation(3, 16, 3, stride=2),
        Conv2dNormActivation(16, 32, 3, stride=2),
        Conv2dNormActivation(32, 64, 3, stride=2),
        Conv2dNormActivation(64, 96, 3, stride=2),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(1),
        # Pooled post-ReLU features share a large mean; normalizing them across photos makes the
        # random head's top class follow the photo instead of the bias.
        torch.nn.BatchNorm1d(96),
        torch.nn.Linear(96, 1000),
    )


SMALL_CNN_SEED = 20240601


class SplitMix64:
    """The ModelZoo's SeededWeights (functions/ModelZoo/Models/SeededWeights.cs), bit for bit."""

    def __init__(self, seed):
        self.state = seed

    def unit(self):
        mask = (1 << 64) - 1
        self.state = (self.state + 0x9E3779B97F4A7C15) & mask
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        return np.float32((z >> 40) * (1.0 / (1 << 24)))

    def uniform(self, shape, bound):
        bound = np.float32(bound)
        count = int(np.prod(shape))
        values = np.array([(np.float32(2) * self.unit() - np.float32(1)) * bound for _ in range(count)], dtype=np.float32)
        return torch.from_numpy(values.reshape(shape))


def seed_small_cnn(model):
    """Weights in the order the C# builder draws them: each conv (He uniform), then the head's weight and bias."""
    weights = SplitMix64(SMALL_CNN_SEED)
    with torch.no_grad():
        for conv in [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]:
            fan_in = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
            conv.weight.copy_(weights.uniform(conv.weight.shape, np.sqrt(np.float32(6) / np.float32(fan_in))))
        head = model[-1]
        bound = np.float32(1) / np.sqrt(np.float32(head.in_features))
        head.weight.copy_(weights.uniform(head.weight.shape, bound))
        head.bias.copy_(weights.uniform(head.bias.shape, bound))
    return model


def write_batchnorm(model, path):
    """The calibrated statistics of each batch norm, in graph order (weight 1 and bias 0 as initialized)."""
    layers = [{"mean": m.running_mean.tolist(), "var": m.running_var.tolist(), "eps": m.eps}
              for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    path.write_text(json.dumps({"seed": SMALL_CNN_SEED, "layers": layers}) + "\n")


def resnet18():
    model = torchvision.models.resnet18(weights=None)
    # Same idea as the small CNN's BatchNorm1d: without it a random ResNet picks a few classes only.
    model.fc = torch.nn.Sequential(torch.nn.BatchNorm1d(512), model.fc)
    return model


def batches(size=25):
    files, transform = photos(), evaluation()
    for start in range(0, len(files), size):
        yield torch.stack([transform(load_rgb(p)) for p in files[start:start + size]])


def calibrate(model):
    """Batch-norm statistics from the photos: train mode, cumulative average, then eval."""
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        for batch in batches():
            model(batch)
    return model.eval()


def reference(model):
    with torch.no_grad():
        return torch.cat([torch.softmax(model(batch), dim=1) for batch in batches()]).numpy().astype("<f4")


def write_model(model, folder, stem, export=True):
    """Exports as users do (torch.onnx.export's defaults: batch fixed at 1) and writes the reference."""
    folder.mkdir(parents=True, exist_ok=True)
    if export:
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), str(folder / f"{stem}.onnx"))
    with open(CLASSES) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    (folder / f"{stem}.labels.txt").write_text("".join(f"{wnid} {name}\n" for _, wnid, name in rows))
    probabilities = reference(model)
    probabilities.tofile(folder / f"{stem}.reference.f32")
    (folder / "photos.txt").write_text("".join(p.name + "\n" for p in photos()))
    top1 = probabilities.argmax(axis=1)
    print(f"{stem}: {len(set(top1.tolist()))} distinct top-1 classes over {len(top1)} photos", file=sys.stderr)


def compare(reference_path, predictions_path):
    """Top-1 agreement of `serverless classify` predictions with a reference written here."""
    names = (Path(reference_path).parent / "photos.txt").read_text().split()
    probabilities = np.fromfile(reference_path, dtype="<f4").reshape(len(names), -1)
    expected = dict(zip(names, probabilities.argmax(axis=1).tolist()))
    with open(predictions_path) as f:
        ours = {p["key"]: p["top"][0]["index"] for p in map(json.loads, f) if p["top"]}
    agree = sum(ours.get(name) == index for name, index in expected.items())
    print(f"top-1 agreement {agree}/{len(expected)} = {agree / len(expected):.3f}; "
          f"{len(set(expected.values()))} distinct reference classes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resnet18", metavar="DIR", help="write a calibrated ResNet-18 and its reference to DIR")
    parser.add_argument("--compare", nargs=2, metavar=("REFERENCE", "PREDICTIONS"))
    parser.add_argument("--small-cnn-only", action="store_true", help="remake only the small CNN's files")
    args = parser.parse_args()
    torch.manual_seed(20240601)
    if args.compare:
        compare(*args.compare)
    elif args.resnet18:
        write_model(calibrate(resnet18()), Path(args.resnet18), "resnet18")
    else:
        if not args.small_cnn_only:
            write_crops()
            write_exact()
        model = calibrate(seed_small_cnn(small_cnn()))
        write_batchnorm(model, HERE / "small-cnn.batchnorm.json")
        write_model(model, HERE, "small-cnn", export=False)


if __name__ == "__main__":
    main()
