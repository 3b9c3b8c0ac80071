"""A greedy baseline plan, made the way a clerk makes it by hand (no solver).

It exists to measure what the CP-SAT model buys: ``greedy_plan`` follows simple
list-order rules, and the independent checker counts what they break and what they cost.
Nothing here imports ortools or ``xinglian.solver``.
"""

from .greedy import greedy_plan

__all__ = ["greedy_plan"]
