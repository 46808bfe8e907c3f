"""The offline CI gate: the guardrails evaluated on the offline engine's resource graph."""

from aistacks.gate.config import PolicyConfigError, RuleConfig, load_policy_config
from aistacks.gate.evaluate import GateResult, Result, evaluate

__all__ = ["GateResult", "PolicyConfigError", "Result", "RuleConfig", "evaluate", "load_policy_config"]
