"""Resource options shared by every component."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


def child(parent: pulumi.Resource, *, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
    """Options of an ordinary child: parented to its component (and so using its providers)."""
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None)


def stateful_child(
    parent: pulumi.Resource, *, protect: bool, depends_on: Sequence[pulumi.Resource] = ()
) -> pulumi.ResourceOptions:
    """Options of a child that holds data or keys: when protected, it can be neither deleted by
    ``pulumi destroy`` nor lost by dropping it from the program (``retain_on_delete``)."""
    return pulumi.ResourceOptions(
        parent=parent,
        protect=protect,
        retain_on_delete=protect,
        depends_on=list(depends_on) or None,
    )
