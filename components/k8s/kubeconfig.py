"""Kubeconfigs that authenticate through a credential plugin: no long-lived secret lands in state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def exec_kubeconfig(name: str, server: str, ca_data: str | None, exec_config: Mapping[str, Any]) -> str:
    """A one-cluster kubeconfig whose user runs ``exec_config`` (client.authentication.k8s.io/v1beta1).
    ``ca_data``: the cluster's CA; ``None`` for a server whose certificate a public CA signs (GKE's DNS
    endpoint), which the cluster's own CA would fail to verify."""
    cluster: dict[str, str] = {"server": server}
    if ca_data is not None:
        cluster["certificate-authority-data"] = ca_data
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": cluster}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "interactiveMode": "Never",
                            **exec_config,
                        }
                    },
                }
            ],
        }
    )
