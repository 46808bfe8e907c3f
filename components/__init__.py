"""aistacks: production AI infrastructure on AWS and Google Cloud as typed Pulumi components.

Data flows one way: ``aistacks.spec`` (the config models) -> ``aistacks.validate`` (every semantic rule;
``aistacks.config`` reads a stack's config through both) -> ``aistacks.plan`` (pure and complete, from
``aistacks.defaults`` and ``aistacks.naming``) -> ``aistacks.platform`` (``AiPlatform``, one builder per
cloud) over the components of ``aistacks.aws``, ``aistacks.gcp`` and ``aistacks.k8s``.
``aistacks.program`` is a whole stack program; ``aistacks.catalog`` holds cloud facts,
``aistacks.engine`` the offline engine, ``aistacks.gate`` the offline gate and ``aistacks.policies`` the
guardrails.
"""

__version__ = "0.1.0"
