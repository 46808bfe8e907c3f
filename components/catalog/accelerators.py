"""GPU and accelerator machine types per cloud, and resolving a cloud-neutral request to one.

``resolve_accelerator("aws", "eu-west-2", "h100", 8)`` → ``p5.48xlarge``. A request that cannot be
met raises :class:`AcceleratorNotOffered`, whose message says where the accelerator is offered and
what the region offers instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aistacks.catalog.datafiles import load_data
from aistacks.vocabulary import Cloud

_FILES: dict[Cloud, str] = {"aws": "aws_accelerators.json", "gcp": "gcp_accelerators.json"}


@dataclass(frozen=True)
class AcceleratorType:
    """One instance (AWS) or machine (GCP) type and the accelerators it carries; or a team's own GPU nodes
    (:class:`aistacks.plan.inference.GpuNodes`), which no catalog type describes."""

    cloud: Cloud | None
    """``None``: a team's own nodes; their ``name`` is ``<count> x <accelerator>``, ``places`` is empty, and only
    the GPU's own facts (model, vendor, memory) come from the catalog."""
    name: str
    accelerator: str
    """Cloud-neutral model id: ``t4``, ``a10g``, ``l4``, ``l40s``, ``a100-40gb``, ``h100``, ``trainium1``…"""
    accelerator_name: str
    vendor: str
    count: int
    accelerator_memory_gib: int
    vcpus: int
    memory_gib: float
    architecture: str | None
    """``x86_64`` or ``arm64`` where the source states it."""
    places: tuple[str, ...]
    """AWS: regions offering the type; GCP: zones."""
    gcp_accelerator_type: str | None = None

    def offered_in(self, region: str) -> bool:
        if self.cloud == "aws":
            return region in self.places
        return any(zone.rsplit("-", 1)[0] == region for zone in self.places)

    def zones_in(self, region: str) -> list[str]:
        """GCP: the zones of ``region`` offering this type."""
        return sorted(zone for zone in self.places if zone.rsplit("-", 1)[0] == region)

    def regions(self) -> list[str]:
        if self.cloud == "aws":
            return sorted(self.places)
        return sorted({zone.rsplit("-", 1)[0] for zone in self.places})


@cache
def accelerator_types(cloud: Cloud) -> dict[str, AcceleratorType]:
    """Every accelerator type of ``cloud`` in the catalog, by type name."""
    types: dict[str, dict[str, Any]] = load_data(_FILES[cloud])["types"]
    return {
        name: AcceleratorType(
            cloud=cloud,
            name=name,
            accelerator=entry["accelerator"],
            accelerator_name=entry["accelerator_name"],
            vendor=entry["vendor"],
            count=int(entry["count"]),
            accelerator_memory_gib=int(entry["accelerator_memory_gib"]),
            vcpus=int(entry["vcpus"]),
            memory_gib=float(entry["memory_gib"]),
            architecture=entry.get("architecture"),
            places=tuple(entry.get("regions") or entry.get("zones") or ()),
            gcp_accelerator_type=entry.get("gcp_accelerator_type"),
        )
        for name, entry in types.items()
    }


SPOT_OR_RESERVED_ONLY = frozenset({"a3-highgpu-1g", "a3-highgpu-2g", "a3-highgpu-4g", "a3-ultragpu-8g"})
"""GCP types with no on-demand capacity. Source: the accelerator catalog's notes (Google Cloud,
"GPU machine types", read 2026-11-27)."""


class AcceleratorNotOffered(LookupError):
    """No type of the cloud carries the requested accelerators in the region."""

    def __init__(self, message: str, *, by_type: bool = False) -> None:
        super().__init__(message)
        self.by_type = by_type
        """The named type is the problem (unknown, other accelerators, not offered there), not the accelerator."""


def known_accelerators(cloud: Cloud) -> list[str]:
    return sorted({t.accelerator for t in accelerator_types(cloud).values()})


def resolve_accelerator(
    cloud: Cloud, region: str, accelerator: str, count: int, *, type_name: str | None = None
) -> AcceleratorType:
    """The smallest type (fewest vCPUs) carrying ``count`` x ``accelerator`` offered in ``region``,
    or exactly ``type_name`` when given (it must carry them and be offered there)."""
    types = accelerator_types(cloud)
    here = sorted({f"{t.accelerator} x{t.count}" for t in types.values() if t.offered_in(region)})
    region_offers = f"{region} offers: {', '.join(here) or 'no accelerators in the catalog'}"
    if accelerator not in known_accelerators(cloud):
        raise AcceleratorNotOffered(
            f"{cloud.upper()} has no accelerator {accelerator!r}; known: {', '.join(known_accelerators(cloud))}; "
            + region_offers
        )
    matching = [t for t in types.values() if t.accelerator == accelerator and t.count == count]
    if type_name is not None:
        _check_named_type(types.get(type_name), type_name, cloud, region, accelerator, count, matching)
        matching = [t for t in matching if t.name == type_name]
    offered = sorted((t for t in matching if t.offered_in(region)), key=lambda t: (t.vcpus, t.memory_gib, t.name))
    if offered:
        return offered[0]
    counts = sorted({t.count for t in types.values() if t.accelerator == accelerator and t.offered_in(region)})
    where = sorted({r for t in matching for r in t.regions()})
    wanted = f"{count} x {accelerator}" + (f" ({type_name})" if type_name else "")
    parts = [f"no {cloud.upper()} type with {wanted} is offered in {region}"]
    if counts:
        parts.append(f"{accelerator} comes there in counts of {', '.join(map(str, counts))}")
    parts.append(f"{wanted} is offered in: {', '.join(where) or 'no region of the catalog'}")
    parts.append(region_offers)
    raise AcceleratorNotOffered("; ".join(parts))


def _check_named_type(
    named: AcceleratorType | None,
    type_name: str,
    cloud: Cloud,
    region: str,
    accelerator: str,
    count: int,
    matching: list[AcceleratorType],
) -> None:
    """Blame an ``instance_type`` that cannot carry ``count`` x ``accelerator`` in ``region``, saying which
    types can."""
    here = sorted(t.name for t in matching if t.offered_in(region))
    choices = f"types with {count} x {accelerator} in {region}: {', '.join(here) or 'none in the catalog'}"
    if named is None:
        raise AcceleratorNotOffered(
            f"{type_name!r} is not an accelerator type of the {cloud.upper()} catalog; {choices}", by_type=True
        )
    if (named.accelerator, named.count) != (accelerator, count):
        raise AcceleratorNotOffered(
            f"{type_name} carries {named.count} x {named.accelerator}, not {count} x {accelerator}: set gpu: "
            f"{named.accelerator} and gpus_per_node: {named.count}, or name one of the {choices}",
            by_type=True,
        )
    if not named.offered_in(region):
        raise AcceleratorNotOffered(
            f"{type_name} is not offered in {region} (it is in: {', '.join(named.regions())}); {choices}",
            by_type=True,
        )
