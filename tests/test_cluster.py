"""Parts solved as Dask tasks: the same plan as in process, a dead worker's parts re-run
elsewhere, and a scheduler that cannot be reached stopping the run before any work."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import distributed
import pytest
from click.testing import CliRunner

from xinglian.checker import check, score
from xinglian.cli import main
from xinglian.instances.generate import generate
from xinglian.solver import solve

TINY = Path(__file__).parent / "data" / "tiny.yaml"
# Deterministic seconds for a generated county: its volunteering searches its LP's
# support for seconds (time to kill the worker that has it), and one hosting group
# searches twice (budget.top_ups).
WORK = 5.0


@pytest.fixture(scope="module")
def k1():
    return generate(1, 3)


@pytest.fixture(scope="module")
def in_process(k1):
    return solve(k1, time_limit=600, work=WORK, workers=2)


def test_a_local_cluster_gives_the_same_plan_as_in_process(k1, in_process):
    on_cluster = solve(k1, time_limit=600, work=WORK, workers=2, cluster="local:2")
    assert on_cluster.plan is not None and not on_cluster.wall_stopped
    assert on_cluster.plan.solve.cluster == "local:2"
    assert on_cluster.plan.decisions() == in_process.plan.decisions()
    assert on_cluster.objective == in_process.objective
    # The same work part by part -- also for the hosting group that searches on from its
    # first plan with the work the others left (budget.top_ups: 霞美镇（1县）).
    assert [p.work for p in on_cluster.plan.solve.parts] == \
        [p.work for p in in_process.plan.solve.parts]
    assert any(p.work > 0.5 and p.status == "OPTIMAL" and p.name.startswith("hosting")
               for p in on_cluster.plan.solve.parts)
    assert check(k1, on_cluster.plan) == []
    assert score(k1, on_cluster.plan).total == on_cluster.objective


def test_a_worker_killed_mid_solve_has_its_parts_re_run(k1, in_process):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)  # worker address -> its process id
        box: dict = {}
        runner = threading.Thread(target=lambda: box.setdefault("res", solve(
            k1, time_limit=600, work=WORK, workers=2, cluster=cluster.scheduler_address)))
        runner.start()
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and runner.is_alive():
            busy = {w: tasks for w, tasks in client.processing().items() if tasks}
            # a volunteering part runs for seconds: kill the worker that has one
            for worker, tasks in busy.items():
                if any("volunteering" in str(t) for t in tasks):
                    victim = worker
            time.sleep(0.05)
        assert victim is not None, "no worker was ever seen searching a volunteering part"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=600)
        assert not runner.is_alive()
    res = box["res"]
    assert res.plan is not None, res.status
    assert check(k1, res.plan) == []
    assert res.plan.solve.retried, "the killed worker's part should be listed as re-run"
    assert any("volunteering" in name for name in res.plan.solve.retried)
    # a re-run part searches with the same budget: the plan is still the same
    assert res.plan.decisions() == in_process.plan.decisions()


def test_a_task_the_scheduler_cancels_is_submitted_again(k1):
    # The scheduler can forget a task whose worker died ("already forgotten", seen in
    # the test above once): the part is sent again and the plan completes. Here another
    # client cancels a running part outright, the same message to the solving client.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        box: dict = {}
        runner = threading.Thread(target=lambda: box.setdefault("res", solve(
            k1, time_limit=600, work=WORK, workers=2, cluster=cluster.scheduler_address)))
        runner.start()
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and runner.is_alive():
            for tasks in client.processing().values():
                victim = next((t for t in tasks if "volunteering" in str(t)), victim)
            time.sleep(0.05)
        assert victim is not None, "no worker was ever seen searching a volunteering part"
        client.cancel([distributed.Future(victim, client)], force=True)
        runner.join(timeout=600)
        assert not runner.is_alive()
    res = box["res"]
    assert res.plan is not None, res.status
    assert check(k1, res.plan) == [] and score(k1, res.plan).total == res.objective
    assert any("volunteering" in name for name in res.plan.solve.retried)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_exit_1_before_any_work(tmp_path, monkeypatch):
    from xinglian.solver import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2.0)  # 10 s for a real network
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    t0 = time.monotonic()
    res = CliRunner().invoke(main, ["plan", str(TINY), "--out", str(tmp_path / "p"),
                                    "--cluster", address, "-q"])
    assert res.exit_code == 1, res.output
    assert "cannot reach the Dask scheduler" in res.output and address in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "p").exists()
    assert time.monotonic() - t0 < 30


def test_a_malformed_local_cluster_is_a_usage_message(tmp_path):
    res = CliRunner().invoke(main, ["plan", str(TINY), "--out", str(tmp_path / "p"),
                                    "--cluster", "local:zero", "-q"])
    assert res.exit_code == 1 and "local:N" in res.output
