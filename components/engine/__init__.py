"""The offline engine: run a Pulumi program against a mock cloud and record its resource graph."""

from aistacks.engine.graph import ResourceGraph, ResourceRecord
from aistacks.engine.run import run_program, run_stack_file
from aistacks.engine.stackfile import Project, StackFile, find_project_root, load_project, load_stack_file

__all__ = [
    "Project",
    "ResourceGraph",
    "ResourceRecord",
    "StackFile",
    "find_project_root",
    "load_project",
    "load_stack_file",
    "run_program",
    "run_stack_file",
]
