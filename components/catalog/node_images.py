"""EKS node images: which AMI type runs an accelerator on an image, and which images lack the device plugin."""

from __future__ import annotations

from collections.abc import Mapping

from aistacks.catalog.accelerators import AcceleratorType
from aistacks.vocabulary import NodeImage

# Amazon EKS AMI types for accelerated nodes. Source: Amazon EKS API Reference, Nodegroup
# `amiType` (AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, AL2023_x86_64_NEURON,
# BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA; read 2026-11-27).
AMI_TYPES: Mapping[tuple[NodeImage, str, str], str] = {
    ("al2023", "nvidia", "x86_64"): "AL2023_x86_64_NVIDIA",
    ("al2023", "nvidia", "arm64"): "AL2023_ARM_64_NVIDIA",
    ("al2023", "aws", "x86_64"): "AL2023_x86_64_NEURON",
    ("bottlerocket", "nvidia", "x86_64"): "BOTTLEROCKET_x86_64_NVIDIA",
    ("bottlerocket", "nvidia", "arm64"): "BOTTLEROCKET_ARM_64_NVIDIA",
}


class UnsupportedNodeImage(ValueError):
    """No EKS AMI type runs this accelerator on this image."""


def ami_type(accelerator: AcceleratorType, image: NodeImage) -> str:
    """The EKS AMI type for an accelerator type on an image. Every type in the catalog without a
    stated architecture is x86_64 (the catalog holds no Graviton GPU types)."""
    key = (image, accelerator.vendor, accelerator.architecture or "x86_64")
    if key not in AMI_TYPES:
        supported = ", ".join(sorted({i for i, v, _ in AMI_TYPES if v == accelerator.vendor})) or "none"
        raise UnsupportedNodeImage(
            f"{accelerator.name} ({accelerator.accelerator}) has no {image} EKS image; images that run it: {supported}"
        )
    return AMI_TYPES[key]


def needs_device_plugin(ami: str) -> bool:
    """AL2023 NVIDIA AMIs ship the driver, not the Kubernetes device plugin; Bottlerocket's NVIDIA
    variants include it. Source: Amazon EKS User Guide, "Amazon EKS optimized accelerated Amazon
    Linux AMIs" and Bottlerocket NVIDIA variant docs (read 2026-11-27)."""
    return ami.startswith("AL2023_") and ami.endswith("_NVIDIA")
