"""The CP-SAT side of xinglian: every rule of a plan as a constraint or a penalty, and the
solve that puts them together.

The solve reads as a recipe in :mod:`.solve` (pre-checks → pairing → parts → keep →
run → assemble); :mod:`.build` builds one part's model from the rule registries,
:mod:`.run` searches it within a work budget (:mod:`.budget`), and :mod:`.extract`
reads the solution into plain data. One module per sub-problem holds its rules:
:mod:`.rotation`, :mod:`.meetings`, :mod:`.hosting`, :mod:`.volunteering`,
:mod:`.care`, and :mod:`.duties` for the rules across them. Nothing outside this
package sees an OR-Tools type.
"""

from __future__ import annotations

from .budget import share
from .build import HARD_RULES, SOFT_RULES, build
from .extract import PartPlan, extract_part
from .run import STATUS_NAMES
from .solve import Result, solve

__all__ = ["HARD_RULES", "SOFT_RULES", "STATUS_NAMES", "PartPlan", "Result", "build",
           "extract_part", "share", "solve"]
