"""Answers for what the mock cloud does not model: any type or function a user's program may hold.

A resource's answer echoes its inputs, as every provider's outputs do, and adds what its type token
(``<package>:<module>/<file>:<Type>``) says of its identity: an ARN on AWS, a resource path on Google
Cloud, the API server's metadata on Kubernetes. Every made-up value derives from the type and the
name, so two runs agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aistacks.engine.cloud import kubernetes
from aistacks.engine.cloud.base import Called, Created, digest

# ARNs without a region, or without an account, by service; "Some resource ARNs don't require a
# Region ... Some resource ARNs don't require an account number" (IAM User Guide, "Amazon Resource
# Names (ARNs)", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
_AWS_GLOBAL = frozenset({"iam", "s3", "cloudfront", "route53", "organizations", "waf", "shield"})
_AWS_NO_ACCOUNT = frozenset({"s3", "route53"})
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def token_parts(type_token: str) -> tuple[str, str, str]:
    """``aws:rds/instance:Instance`` -> ``("aws", "rds", "Instance")``: package, module and type name."""
    package, _, rest = type_token.partition(":")
    module, _, name = rest.rpartition(":")
    return package, module.split("/", 1)[0], name


def kebab(type_name: str) -> str:
    """``DatabaseInstance`` -> ``database-instance``, as ARNs spell kinds (``log-group``, ``launch-template``)."""
    return _WORD_BOUNDARY.sub("-", type_name).lower()


def collection(type_name: str) -> str:
    """``DatabaseInstance`` -> ``databaseInstances``, as Google Cloud names collections (``forwardingRules``)."""
    if re.search(r"[^aeiou]y$", type_name):
        plural = type_name[:-1] + "ies"
    elif type_name.endswith(("s", "x", "ch", "sh")):
        plural = type_name + "es"
    else:
        plural = type_name + "s"
    return plural[:1].lower() + plural[1:]


def _name(c: Created, type_name: str) -> str:
    """The name the resource will have: its name input under one of the keys providers use (``name``,
    ``functionName``, ``repositoryId``, RDS's ``identifier``), else Pulumi's auto-name."""
    stem = type_name[:1].lower() + type_name[1:]
    for key in ("name", f"{stem}Name", f"{stem}Id", "identifier"):
        value = c.inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return c.physical_name


def aws_resource(c: Created) -> tuple[str, dict[str, Any]]:
    """ID: the resource's name. ARN: ``arn:aws:<service>:<region>:<account>:<kind>/<name>``."""
    _, service, type_name = token_parts(c.type)
    name = _name(c, type_name)
    region = "" if service in _AWS_GLOBAL else c.region
    account = "" if service in _AWS_NO_ACCOUNT else c.account
    return name, {"arn": f"arn:aws:{service}:{region}:{account}:{kebab(type_name)}/{name}"}


def gcp_resource(c: Created) -> tuple[str, dict[str, Any]]:
    """ID: ``projects/<project>/<scope>/<collection>/<name>``, the scope from the location the inputs name.

    Compute Engine resources also get the ``selfLink`` its API gives every resource."""
    _, service, type_name = token_parts(c.type)
    name = _name(c, type_name)
    scope = next(
        (f"{kind}/{c.inputs[key]}" for key, kind in _GCP_SCOPES if isinstance(c.inputs.get(key), str)),
        "global" if service == "compute" else "",
    )
    parts = ["projects", str(c.inputs.get("project") or c.project), scope, collection(type_name), name]
    path = "/".join(part for part in parts if part)
    outputs: dict[str, Any] = {"name": name}
    if service == "compute":
        outputs["selfLink"] = f"https://www.googleapis.com/compute/v1/{path}"
    return path, outputs


_GCP_SCOPES = (("location", "locations"), ("region", "regions"), ("zone", "zones"))


def other_resource(c: Created) -> tuple[str, dict[str, Any]]:
    """Any other package: a stable ID and the inputs, nothing more to go on."""
    return c.physical_name, {}


def resource(c: Created) -> tuple[str, dict[str, Any]]:
    """The generic answer for a resource type the mock cloud does not model, by package."""
    package = c.type.partition(":")[0]
    if package == "aws":
        return aws_resource(c)
    if package == "gcp":
        return gcp_resource(c)
    if package == "kubernetes":
        return kubernetes.metadata(c)
    return other_resource(c)


def function(c: Called) -> dict[str, Any]:
    """The generic answer for a function: its arguments back, with a stable ``id`` derived from them."""
    arguments = json.dumps(dict(c.args), sort_keys=True, default=str)
    return {**c.args, "id": digest(c.token, arguments)[:20]}
