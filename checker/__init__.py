"""The independent checker: hard rules re-verified and the objective recomputed.

It reads a plan as plain data and never imports ortools nor ``xinglian.solver``, so a
bug in the CP-SAT model shows up as a violation or a score mismatch (see docs/rules.md).
"""

from .rules import HARD_RULES, SOFT_RULES, Score, Violation, check, score

__all__ = ["HARD_RULES", "SOFT_RULES", "Score", "Violation", "check", "score"]
