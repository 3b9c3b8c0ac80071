"""The scale-instance generator: deterministic, valid, counties independent."""

from __future__ import annotations

from click.testing import CliRunner

from xinglian.cli import main
from xinglian.instances.generate import generate
from xinglian.models import Timeline, load_instance
from xinglian.solver.decompose import decompose


def test_same_seed_same_instance_other_seed_other_draws():
    assert generate(2, seed=3) == generate(2, seed=3)
    a, b = generate(2, seed=3), generate(2, seed=4)
    assert a.people != b.people  # unavailability dates and preferences are re-drawn
    assert [p.id for p in a.people] == [p.id for p in b.people]  # the shape is the same


def test_k_counties_are_k_copies_sharing_nothing():
    one, two = generate(1, seed=0), generate(2, seed=0)
    assert len(two.people) == 2 * len(one.people)
    assert len(two.activities) == 2 * len(one.activities)
    assert len(two.bases) == 2 * len(one.bases)
    counties = {p.id.split("-")[0] for p in two.people}
    assert counties == {"k001", "k002"}
    # Every hosting group lies in one county.
    parts = decompose(two, Timeline(two))
    hosting = [p for p in parts if p.venues]
    assert len(hosting) == 2 * len([p for p in decompose(one, Timeline(one)) if p.venues])
    assert all(len({v.split("-")[0] for v in p.venues}) == 1 for p in hosting)


def test_generate_command_writes_a_loadable_file(tmp_path):
    out = tmp_path / "k2.yaml"
    res = CliRunner().invoke(main, ["generate", "--scale", "2", "--seed", "5", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert load_instance(out) == generate(2, seed=5)
