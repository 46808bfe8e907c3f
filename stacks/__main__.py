"""The aistacks Pulumi program: one environment, planned from its typed stack config (Pulumi.<env>.yaml)."""

from aistacks.program import platform_program

platform_program()
