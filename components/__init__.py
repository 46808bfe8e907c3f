"""aistacks: production AI infrastructure on AWS and Google Cloud as typed Pulumi components.

Submodules: ``aistacks.aws``, ``aistacks.gcp`` (components per cloud), ``aistacks.platform``
(``AiPlatform``), ``aistacks.spec`` and ``aistacks.config`` (the typed stack config),
``aistacks.catalog`` (cloud facts), ``aistacks.engine`` (the offline engine) and
``aistacks.policies`` (the guardrails).
"""

__version__ = "0.1.0"
