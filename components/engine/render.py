"""The readable form of a resource graph: a tree by component, then counts per type."""

from __future__ import annotations

from aistacks.engine.graph import ResourceGraph, ResourceRecord, display_value


def _marks(record: ResourceRecord) -> str:
    marks = [mark for mark, on in (("protected", record.protect), ("retained", record.retain_on_delete)) if on]
    inputs = display_value(record.inputs)
    for key in ("region", "location"):
        if isinstance(inputs.get(key), str):
            marks.append(f"{key}={inputs[key]}")
    return f"  [{', '.join(marks)}]" if marks else ""


def render_tree(graph: ResourceGraph) -> str:
    mode = "preview" if graph.preview else "update"
    lines = [f"stack {graph.stack} of project {graph.project} ({mode}, offline): {len(graph.resources)} resources", ""]
    roots = [record for record in graph.resources if record.parent is None]
    children = graph.children_by_parent()

    def walk(record: ResourceRecord, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(f"{prefix}{branch}{record.type}  {record.name}{_marks(record)}")
        below = children.get(record.urn, [])
        deeper = prefix if top else prefix + ("   " if last else "│  ")
        for index, item in enumerate(below):
            walk(item, deeper, index == len(below) - 1, False)

    for root in roots:
        walk(root, "", True, True)
    lines += ["", "resources by type:"]
    counts = graph.type_counts()
    width = len(str(max(counts.values(), default=0)))
    lines += [f"  {count:>{width}}  {type_token}" for type_token, count in sorted(counts.items())]
    return "\n".join(lines) + "\n" + generic_note(graph)


def generic_note(graph: ResourceGraph) -> str:
    """Which types and functions the mock cloud answered generically; empty when it modelled them all.

    Their outputs are the inputs echoed with a made-up id (and ARN or path), not a model of the cloud:
    worth knowing before trusting a value derived from one."""
    lines: list[str] = []
    if graph.generic_types:
        lines.append(f"modelled generically (outputs echo the inputs): {', '.join(sorted(graph.generic_types))}")
    if graph.generic_functions:
        functions = ", ".join(sorted(graph.generic_functions))
        lines.append(f"functions answered generically (results echo the arguments): {functions}")
    return "\n" + "\n".join(lines) + "\n" if lines else ""
