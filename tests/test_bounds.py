"""The lower bound a rotation part reports when it returns its construction without a
search (solver/bounds.py): never above the proven optimum, and far above 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from xinglian.instances.generate import generate
from xinglian.models import load_instance
from xinglian.models.timeline import Timeline
from xinglian.solver import care
from xinglian.solver.bounds import rotation_bound
from xinglian.solver.build import build
from xinglian.solver.decompose import decompose

NANAN = Path(__file__).parent.parent / "instances" / "nanan-2027.yaml"


def _rotation(inst):
    tl = Timeline(inst)
    pairs = care.pair_children(inst, work=2, seed=0).pairs
    part = next(p for p in decompose(inst, tl, pairs, None)
                if p.rotation and not p.volunteering)
    return build(inst, tl, part, None, None, care_pairs=pairs)


@pytest.mark.parametrize("name", ["nanan", "gen-1-0", "gen-1-2"])
def test_the_rotation_bound_is_at_most_the_proven_optimum(name):
    inst = (load_instance(NANAN) if name == "nanan"
            else generate(1, seed=int(name.rsplit("-", 1)[1])))
    ctx = _rotation(inst)
    bound = rotation_bound(ctx)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers, p.random_seed, p.max_deterministic_time = 1, 0, 20.0
    p.linearization_level, p.symmetry_level, p.cp_model_probing_level = 2, 0, 0
    assert solver.solve(ctx.model) == cp_model.OPTIMAL
    print(f"\n{name}: bound {bound}, optimum {solver.objective_value:.0f}")
    assert 0 < bound <= solver.objective_value
