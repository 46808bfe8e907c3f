"""Kubeconfigs that authenticate through a credential plugin: no long-lived secret lands in state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def exec_kubeconfig(name: str, server: str, ca_data: str, exec_config: Mapping[str, Any]) -> str:
    """A one-cluster kubeconfig whose user runs ``exec_config`` (client.authentication.k8s.io/v1beta1)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": ca_data}}],
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
