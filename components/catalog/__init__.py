"""Facts about the clouds: regions, locations and the jurisdiction each keeps data in.

The data lives in ``data/*.json``; every file names its sources and the date they were read.
"""

from aistacks.catalog.accelerators import (
    SPOT_OR_RESERVED_ONLY,
    AcceleratorNotOffered,
    AcceleratorType,
    accelerator_types,
    known_accelerators,
    resolve_accelerator,
)
from aistacks.catalog.regions import (
    MANAGED_VECTOR_ENGINES,
    UnknownLocationError,
    gcs_location_jurisdictions,
    jurisdiction_of_region,
    known_jurisdictions,
    location_jurisdictions,
    regions_in_jurisdiction,
    regions_of,
    vector_engine_regions,
)
from aistacks.vocabulary import Cloud

__all__ = [
    "MANAGED_VECTOR_ENGINES",
    "SPOT_OR_RESERVED_ONLY",
    "AcceleratorNotOffered",
    "AcceleratorType",
    "Cloud",
    "UnknownLocationError",
    "accelerator_types",
    "gcs_location_jurisdictions",
    "jurisdiction_of_region",
    "known_accelerators",
    "known_jurisdictions",
    "location_jurisdictions",
    "regions_in_jurisdiction",
    "regions_of",
    "resolve_accelerator",
    "vector_engine_regions",
]
