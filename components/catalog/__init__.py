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
from aistacks.catalog.kubernetes_versions import (
    KubernetesSupport,
    kubernetes_minors,
    kubernetes_version_problem,
    supported_kubernetes_minors,
)
from aistacks.catalog.node_images import AMI_TYPES, UnsupportedNodeImage, ami_type, needs_device_plugin
from aistacks.catalog.prices import (
    FIXED_ITEMS,
    HOURS_PER_MONTH,
    FixedItem,
    FixedPrice,
    NodePrice,
    PriceNotFound,
    PriceSource,
    fixed_price,
    monthly_price,
    node_price,
    price_sources,
    priced_node_types,
    unpriced_node_regions,
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
from aistacks.catalog.serving import (
    HelmChartPin,
    ModelFacts,
    QueueAutoscalerFacts,
    ServingEngineFacts,
    queue_autoscaler,
    serving_engine,
    serving_models,
)
from aistacks.vocabulary import Cloud

__all__ = [
    "AMI_TYPES",
    "FIXED_ITEMS",
    "HOURS_PER_MONTH",
    "MANAGED_VECTOR_ENGINES",
    "SPOT_OR_RESERVED_ONLY",
    "AcceleratorNotOffered",
    "AcceleratorType",
    "Cloud",
    "FixedItem",
    "FixedPrice",
    "HelmChartPin",
    "KubernetesSupport",
    "ModelFacts",
    "NodePrice",
    "PriceNotFound",
    "PriceSource",
    "QueueAutoscalerFacts",
    "ServingEngineFacts",
    "UnknownLocationError",
    "UnsupportedNodeImage",
    "accelerator_types",
    "ami_type",
    "fixed_price",
    "gcs_location_jurisdictions",
    "jurisdiction_of_region",
    "known_accelerators",
    "known_jurisdictions",
    "kubernetes_minors",
    "kubernetes_version_problem",
    "location_jurisdictions",
    "monthly_price",
    "needs_device_plugin",
    "node_price",
    "price_sources",
    "priced_node_types",
    "queue_autoscaler",
    "regions_in_jurisdiction",
    "regions_of",
    "resolve_accelerator",
    "serving_engine",
    "serving_models",
    "supported_kubernetes_minors",
    "unpriced_node_regions",
    "vector_engine_regions",
]
