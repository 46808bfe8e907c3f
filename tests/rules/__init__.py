"""The guardrails' tests: one module per rule of ``policies/rules/``, named after it (``test_<rule module>.py``),
on compliant and non-compliant fixtures in engine form; shared helpers in ``fixtures``, the framework across
rules in ``test_framework``, and ``test_coverage`` fails when a rule has no module here."""
