#!/usr/bin/env python3
"""Writes policies/data/provider_catalog.json from the installed pulumi-aws and pulumi-gcp Python SDKs.

No network, no Pulumi CLI: the SDK's generated classes are the provider schema. Each resource module
holds a ``CustomResource`` subclass whose ``_internal_init`` calls ``super().__init__('<type token>', ...)``
and a ``<Name>Args`` ``@pulumi.input_type`` class (``<Name>InitArgs`` when ``<Name>Args`` names a nested
input type, see ``args_class``); each input property's getter carries its engine
(camelCase) name in ``fget._pulumi_name`` and a return type hint naming nested ``*Args`` input classes
(forward references by name), lists (``Sequence``) and maps (``Mapping``). Walking those hints gives every
input property path of a type.

Path notation (engine names): ``a.b`` nests an object, ``a[].b`` is ``b`` in every element of the list
``a``, ``a{}.b`` is ``b`` in every value of the map ``a``. ``policies.framework.read`` takes concrete
indices (``a[0].b``): expand each ``[]`` over ``framework.items``.

From the leaves it keeps, per type token:
* ``keyPaths``: string leaves that carry a customer-managed key (see ``is_key_leaf``: key-named leaves such as
  ``kmsKeyId`` or ``cmkArn``, generic ``keyArn``/``keyId`` inside an encryption block, and the ``id``/``arn`` of a
  key given as an object, ``artifactStores[].encryptionKey.id``);
* ``ownPlacement``: region/location/zone leaves of the resource itself;
* ``replicaPlacement``: region/location leaves under a replica, replication, destination, copy,
  secondary or failover block (where the data also goes).
Then it applies the hand-written ``policies/data/provider_catalog_overrides.json`` (each change with a
reason), recording in every touched entry which paths the overrides added or removed. A type is listed when
it has a path, or when the overrides removed all of its paths (kept empty, with the removals' reasons).

Usage:
    venv/bin/python scripts/provider_catalog.py              # regenerate the data file
    venv/bin/python scripts/provider_catalog.py --check      # exit 1 when the data file is stale
    venv/bin/python scripts/provider_catalog.py --candidates # print the leaf names the rules match, to review
Importing every resource module of both SDKs takes about half a minute.
"""

from __future__ import annotations

import argparse
import collections.abc
import datetime
import fnmatch
import hashlib
import importlib
import importlib.metadata
import json
import pkgutil
import re
import sys
import types
import typing
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "policies" / "data" / "provider_catalog.json"
OVERRIDES = REPO / "policies" / "data" / "provider_catalog_overrides.json"
GENERATOR = "venv/bin/python scripts/provider_catalog.py"
SDKS = {"pulumi-aws": "pulumi_aws", "pulumi-gcp": "pulumi_gcp"}
"""Distribution name -> Python package."""
FIELDS = ("keyPaths", "ownPlacement", "replicaPlacement")
MAX_DEPTH = 10

_TOKEN = re.compile(r"super\((\w+), __self__\)\.__init__\(\s*'([^']+)'")
_ARGS_OPTS = re.compile(r"get_resource_args_opts\((\w+), pulumi\.ResourceOptions")
"""The args class a resource's ``__init__`` parses its arguments into."""

# --- key paths ------------------------------------------------------------------------------------

_KEY_LEAF = re.compile(
    r"""^(
        .*kms.*key.*           # kmsKeyId, kmsKeyArn, kmsMasterKeyId, kmsKeyName, defaultKmsKeyName,
                               # kmsKeySelfLink, bootDiskKmsKey, replicaKmsKeyId, kmsKeyVersionName
      | kms(Key)?              # a bare kms (key id) field
      | kmsArn|kmsId|.*KmsArn|.*KmsId
      | .*cmek.*key.*          # cmekKeyName
      | cryptoKey|cryptoKeyName
      | .*encryptionKey(Name|Arn|Id|SelfLink)?
      | .*customerManagedKey.*
      | .*cmk(Arn|Id)          # DLM crossRegionCopyRules[].cmkArn (CMK: customer master key)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CONTEXT_KEY_LEAF = re.compile(r"^(key|keyArn|keyName|keyId|keyVersion|keyVersionName|cryptoKey.*)$")
"""Generic key names that carry a data key only inside an encryption block (``encryptionConfig.provider.keyArn``)."""
_ENCRYPTION_CONTEXT = re.compile(r"(?i:encrypt|kms|cmek)|^sse|Sse")
_KEY_OBJECT_LEAF = re.compile(r"^(id|arn)$")
_KEY_OBJECT = re.compile(r"^(.*[eE]ncryptionKey|kmsKey|.*KmsKey|cmk|.*Cmk)$")
"""A key given as an object: its ``id``/``arn`` is the key (CodePipeline ``artifactStores[].encryptionKey.id``)."""
_NOT_A_KEY = re.compile(
    r"""(rotation|enabled|enable|type|algorithm|state|status|policy|alias|grant|region|
        ^kmsKeyRing$|sha256|^rawKey$|^rsaEncryptedKey$|encryptionKeySha|keyring|ringName|
        version$|Version$|Versions$|context|Context|Spec$|Type$|ServiceAccount|State$)""",
    re.VERBOSE,
)
"""Leaf names that match the key patterns but are not a key reference (flags, algorithms, rotation periods,
customer-supplied raw keys)."""


def is_key_leaf(path: str) -> bool:
    """A string leaf that names a customer-managed key (KMS / Cloud KMS)."""
    parts = split(path)
    leaf = parts[-1]
    if _NOT_A_KEY.search(leaf) and not leaf.endswith(("KeyName", "KeyId", "KeyArn", "KmsKey", "KeySelfLink")):
        return False
    if _KEY_LEAF.match(leaf):
        return True
    if _KEY_OBJECT_LEAF.match(leaf) and len(parts) > 1 and _KEY_OBJECT.match(parts[-2]):
        return True
    return bool(_CONTEXT_KEY_LEAF.match(leaf)) and any(_ENCRYPTION_CONTEXT.search(part) for part in parts[:-1])


# --- placement paths ------------------------------------------------------------------------------

_PLACEMENT_LEAF = re.compile(
    r"^(region|regions|regionName|regionNames|location|locations|locationId|zone|zones|availabilityZone|"
    r"availabilityZones|nodeLocations|dataLocations|storageLocation|storageLocations|defaultStorageLocation|"
    r"replicaRegion|replicaZones|replicaLocation|destinationRegion|secondaryZone|secondaryLocation|"
    r"targetRegion|witnessRegion|alternativeLocationId)$"
)
_NESTED_OWN = frozenset(
    {"zone", "zones", "availabilityZone", "availabilityZones", "nodeLocations", "dataLocations", "storageLocations"}
)
"""Nested leaf names that place the resource itself (``settings.locationPreference.zone``); a nested plain
``location``/``region`` is too often something else (a CEL expression's location, an S3 path, a connection's
remote region) and counts only in a replica context."""
_REPLICA_CONTEXT = re.compile(
    r"replica|replicat|destination|secondary|failover|copy|target|alternative|witness|backup", re.IGNORECASE
)


def is_placement_leaf(path: str) -> bool:
    return bool(_PLACEMENT_LEAF.match(split(path)[-1]))


def is_replica(path: str) -> bool:
    return any(_REPLICA_CONTEXT.search(part) for part in split(path))


def placement_kind(path: str) -> str | None:
    """``ownPlacement``, ``replicaPlacement`` or None for a leaf path."""
    if not is_placement_leaf(path):
        return None
    if is_replica(path):
        return "replicaPlacement"
    if "." not in path or split(path)[-1] in _NESTED_OWN:
        return "ownPlacement"
    return None


def split(path: str) -> list[str]:
    """Property names of a path, without the ``[]``/``{}`` markers."""
    return [part.removesuffix("[]").removesuffix("{}") for part in path.split(".")]


# --- walking the SDK ------------------------------------------------------------------------------


def service_packages(package: str) -> list[str]:
    root = importlib.import_module(package)
    return sorted(
        f"{package}.{info.name}"
        for info in pkgutil.iter_modules(root.__path__)
        if info.ispkg and info.name not in {"config", "_utilities"}
    )


def resource_modules(service: str) -> list[str]:
    package = importlib.import_module(service)
    return sorted(
        f"{service}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.ispkg and not info.name.startswith(("_", "get_")) and info.name not in {"outputs"}
    )


def resources_in(module_name: str) -> Iterator[tuple[str, type]]:
    """``(type token, resource args class)`` of every custom resource defined in the module."""
    module = importlib.import_module(module_name)
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    for class_name, token in _TOKEN.findall(source):
        args = args_class(module, source, class_name)
        if args is not None:
            yield token, args


def args_class(module: types.ModuleType, source: str, class_name: str) -> type | None:
    """The input class the resource's ``__init__`` takes: ``<Class>InitArgs`` when the SDK generated one.

    The SDK names the resource's args ``<Class>InitArgs`` when ``<Class>Args`` is already the name of a
    nested input type (``pulumi_aws.s3.BucketVersioningArgs`` is the old inline ``versioning`` block of
    a Bucket; ``BucketVersioning`` takes ``BucketVersioningInitArgs``). Both are importable from the resource
    module (it star-imports its service's ``_inputs``), so the class the module's
    ``_utilities.get_resource_args_opts(<args>, pulumi.ResourceOptions, ...)`` call names decides.
    """
    named = set(_ARGS_OPTS.findall(source))
    for name in (f"{class_name}InitArgs", f"{class_name}Args"):
        args = getattr(module, name, None)
        if isinstance(args, type) and getattr(args, "_pulumi_input_type", False) and (not named or name in named):
            return args
    return None


def input_properties(cls: type) -> Iterator[tuple[str, Any]]:
    """``(engine name, return type hint)`` of every input property of an input class."""
    for attribute in vars(cls).values():
        if isinstance(attribute, property) and attribute.fget is not None:
            name = getattr(attribute.fget, "_pulumi_name", None)
            if name:
                yield name, attribute.fget.__annotations__.get("return")


def _resolve(hint: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(hint, typing.ForwardRef):
        return namespace.get(hint.__forward_arg__, hint)
    if isinstance(hint, str):
        return namespace.get(hint, hint)
    return hint


def shape(hint: Any, namespace: dict[str, Any]) -> tuple[str, type | None, bool]:
    """``(container markers, nested input class or None, is a string)`` of a type hint."""
    hint = _resolve(hint, namespace)
    if isinstance(hint, type) and getattr(hint, "_pulumi_input_type", False):
        return "", hint, False
    if hint is str:
        return "", None, True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (collections.abc.Sequence, list, tuple) and args:
        markers, nested, is_str = shape(args[0], namespace)
        return "[]" + markers, nested, is_str
    if origin in (collections.abc.Mapping, dict) and len(args) == 2:
        markers, nested, is_str = shape(args[1], namespace)
        return "{}" + markers, nested, is_str
    if origin in (typing.Union, types.UnionType) or (origin is not None and args):
        # pulumi.Input[T] is Union[T, Awaitable[T], Output[T]]; Optional[T] a Union with None.
        best: tuple[str, type | None, bool] = ("", None, False)
        for arg in args:
            found = shape(arg, namespace)
            if found[1] is not None:
                return found
            if found[2] and not best[2]:
                best = found
        return best
    return "", None, False


def leaves(cls: type, prefix: str = "", seen: tuple[type, ...] = ()) -> Iterator[tuple[str, bool]]:
    """``(path, is a string)`` of every scalar leaf under an input class."""
    module = sys.modules[cls.__module__]
    namespace = dict(vars(module))
    for name, hint in sorted(input_properties(cls)):
        markers, nested, is_str = shape(hint, namespace)
        path = f"{prefix}{name}{markers}"
        if nested is None:
            yield path, is_str
        elif nested not in seen and len(seen) < MAX_DEPTH:
            yield from leaves(nested, f"{path}.", (*seen, cls))


def entry_for(token: str, args: type, module: str) -> dict[str, Any]:
    found: dict[str, list[str]] = {field: [] for field in FIELDS}
    for path, is_str in leaves(args):
        if is_str and is_key_leaf(path):
            found["keyPaths"].append(path)
        kind = placement_kind(path)
        if kind:
            found[kind].append(path)
    return {"service": token.split(":")[1].split("/", maxsplit=1)[0], "sdkModule": module, **found}


def scan(modules: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for module in modules:
        for token, args in resources_in(module):
            found[token] = entry_for(token, args, module)
    return found


def all_modules() -> list[str]:
    return [
        module
        for package in SDKS.values()
        for service in service_packages(package)
        for module in resource_modules(service)
    ]


# --- overrides ------------------------------------------------------------------------------------


def load_overrides(path: Path = OVERRIDES) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["overrides"]


def apply_overrides(found: dict[str, dict[str, Any]], overrides: list[dict[str, Any]]) -> None:
    """Adds and removes paths in place; an override matching no type is an error (it went stale)."""
    for override in overrides:
        matched = [token for token in found if fnmatch.fnmatchcase(token, override["type"])]
        if not matched:
            raise SystemExit(f"override for {override['type']!r} matches no resource type of the installed SDKs")
        for token in matched:
            entry = found[token]
            for action in ("remove", "add"):
                for field, paths in override.get(action, {}).items():
                    if field not in FIELDS:
                        raise SystemExit(f"override for {override['type']!r}: unknown field {field!r}")
                    for path in paths:
                        if action == "remove" and path == "*":
                            removed = list(entry[field])
                        elif action == "remove":
                            removed = [path] if path in entry[field] else []
                            if not removed and "*" not in override["type"]:
                                raise SystemExit(f"override for {token}: {field} has no {path!r} to remove")
                        else:
                            removed = []
                        for gone in removed:
                            entry[field].remove(gone)
                        if action == "add" and path not in entry[field]:
                            entry[field].append(path)
                        for changed in removed if action == "remove" else [path]:
                            entry.setdefault("overrides", []).append(
                                {"action": action, "field": field, "path": changed, "reason": override["reason"]}
                            )


# --- the catalog ----------------------------------------------------------------------------------


def sdk_versions() -> dict[str, str]:
    return {dist: importlib.metadata.version(dist) for dist in SDKS}


def finish(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Sorted paths, and only the types that have a key or placement path, or whose paths the overrides
    removed (kept with the removals and their reasons: the catalog reviewed them, they have none)."""
    result: dict[str, dict[str, Any]] = {}
    for token in sorted(found):
        entry = found[token]
        for field in FIELDS:
            entry[field] = sorted(set(entry[field]))
        if any(entry[field] for field in FIELDS) or entry.get("overrides"):
            result[token] = entry
    return result


def content_hash(catalog_types: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(catalog_types, sort_keys=True).encode()).hexdigest()


def counts(catalog_types: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for provider in ("aws", "gcp"):
        entries = [entry for token, entry in catalog_types.items() if token.startswith(f"{provider}:")]
        result[provider] = {
            "types": len(entries),
            "typesWithKeyPaths": sum(1 for entry in entries if entry["keyPaths"]),
            "typesWithOwnPlacement": sum(1 for entry in entries if entry["ownPlacement"]),
            "typesWithReplicaPlacement": sum(1 for entry in entries if entry["replicaPlacement"]),
        }
    return result


def generate(modules: Iterable[str] | None = None) -> dict[str, Any]:
    found = scan(all_modules() if modules is None else modules)
    if modules is None:
        apply_overrides(found, load_overrides())
    catalog_types = finish(found)
    return {
        "header": {
            "description": "Resource types of the Pulumi AWS and GCP providers with their customer-managed-key "
            "and placement property paths (engine names; a[] every list element, a{} every map value).",
            "sdks": sdk_versions(),
            "generated": datetime.date.today().isoformat(),
            "generator": GENERATOR,
            "overrides": "policies/data/provider_catalog_overrides.json",
            "counts": counts(catalog_types),
            "contentSha256": content_hash(catalog_types),
        },
        "types": catalog_types,
    }


def regenerate_types(tokens_to_modules: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The entries for some types only (overrides applied), as the full generation would give them."""
    found = scan(sorted(set(tokens_to_modules.values())))
    found = {token: entry for token, entry in found.items() if token in tokens_to_modules}
    overrides = [
        override
        for override in load_overrides()
        if any(fnmatch.fnmatchcase(token, override["type"]) for token in found)
    ]
    apply_overrides(found, overrides)
    return finish(found)


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, sort_keys=False) + "\n"


def stale_reasons(current: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    reasons: list[str] = []
    if current["header"]["sdks"] != fresh["header"]["sdks"]:
        reasons.append(f"SDK versions {current['header']['sdks']} != installed {fresh['header']['sdks']}")
    if current["types"] != fresh["types"]:
        changed = sorted(
            token
            for token in set(current["types"]) | set(fresh["types"])
            if current["types"].get(token) != fresh["types"].get(token)
        )
        reasons.append(f"{len(changed)} types differ, e.g. {changed[:5]}")
    if current["header"]["counts"] != fresh["header"]["counts"]:
        reasons.append("counts differ")
    if current["header"]["contentSha256"] != fresh["header"]["contentSha256"]:
        reasons.append("content hash differs")
    return reasons


def print_candidates() -> None:
    """Leaf names near the key and placement rules, with whether they are taken, to review the rules."""
    names: Counter[tuple[str, str]] = Counter()
    for module in all_modules():
        for token, args in resources_in(module):
            for path, is_str in leaves(args):
                leaf = split(path)[-1]
                if re.search(r"kms|key|cmek|cmk|encrypt", leaf, re.I) or (is_str and is_key_leaf(path)):
                    names["KEY " + ("taken" if is_str and is_key_leaf(path) else "no"), f"{leaf} ({path}) {token}"] += 1
                elif re.search(r"region|location|zone", leaf, re.I):
                    names["PLACE " + str(placement_kind(path)), f"{leaf} ({path}) {token}"] += 1
    for (kind, text), _ in sorted(names.items()):
        print(kind, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the checked-in data is stale")
    parser.add_argument("--candidates", action="store_true", help="print matched and unmatched leaf names")
    options = parser.parse_args(argv)
    if options.candidates:
        print_candidates()
        return 0
    fresh = generate()
    if options.check:
        current = json.loads(DATA.read_text(encoding="utf-8"))
        reasons = stale_reasons(current, fresh)
        if reasons:
            print(f"{DATA.relative_to(REPO)} is stale: {'; '.join(reasons)}. Regenerate: {GENERATOR}")
            return 1
        print(f"{DATA.relative_to(REPO)} is up to date with {fresh['header']['sdks']}")
        return 0
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(render(fresh), encoding="utf-8")
    print(f"wrote {DATA.relative_to(REPO)}: {json.dumps(fresh['header']['counts'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
