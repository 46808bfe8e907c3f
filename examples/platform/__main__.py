"""A whole environment per stack (Pulumi.<stack>.yaml), exactly as this repository's stacks build theirs."""

from aistacks.program import platform_program

platform_program()
