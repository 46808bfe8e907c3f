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

    def walk(record: ResourceRecord, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(f"{prefix}{branch}{record.type}  {record.name}{_marks(record)}")
        children = graph.children_of(record.urn)
        deeper = prefix if top else prefix + ("   " if last else "│  ")
        for index, item in enumerate(children):
            walk(item, deeper, index == len(children) - 1, False)

    for root in roots:
        walk(root, "", True, True)
    lines += ["", "resources by type:"]
    counts = graph.type_counts()
    width = len(str(max(counts.values(), default=0)))
    lines += [f"  {count:>{width}}  {type_token}" for type_token, count in sorted(counts.items())]
    return "\n".join(lines) + "\n"
