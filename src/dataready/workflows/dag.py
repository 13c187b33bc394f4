"""A small generic DAG runner: run nodes whose dependencies succeeded, a few at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum


class NodeOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # a dependency did not succeed
    NOT_RUN = "not_run"  # the DAG was stopped before the node started


@dataclass(frozen=True)
class Node:
    name: str
    depends_on: tuple[str, ...] = ()


def check_dag(nodes: Sequence[Node]) -> None:
    """Raise ValueError on an unknown dependency or a cycle."""
    names = {n.name for n in nodes}
    for n in nodes:
        for d in n.depends_on:
            if d not in names:
                raise ValueError(f"task {n.name!r} depends on unknown task {d!r}")
    deps = {n.name: set(n.depends_on) for n in nodes}
    done: set[str] = set()
    while deps:
        ready = [k for k, v in deps.items() if v <= done]
        if not ready:
            raise ValueError(f"tasks form a cycle: {', '.join(sorted(deps))}")
        for k in ready:
            done.add(k)
            del deps[k]


def run_dag(
    nodes: Sequence[Node],
    run_node: Callable[[str], bool],
    *,
    concurrency: int,
    should_stop: Callable[[], bool],
    on_skip: Callable[[str], None],
) -> dict[str, NodeOutcome]:
    """Run ``run_node`` (returns success) for each node in dependency order.

    Nodes whose dependency failed are skipped (``on_skip`` is called).  Once ``should_stop``
    answers true no further node starts; running ones finish on their own.
    """
    check_dag(nodes)
    outcome: dict[str, NodeOutcome] = {}
    pending = {n.name: n for n in nodes}
    running: dict[Future[bool], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="dr-task") as pool:
        while pending or running:
            stopping = should_stop()
            progressed = True
            while progressed and not stopping:
                progressed = False
                for name, node in list(pending.items()):
                    if len(running) >= concurrency:
                        break
                    states = [outcome.get(d) for d in node.depends_on]
                    if any(s in (NodeOutcome.FAILED, NodeOutcome.SKIPPED) for s in states):
                        outcome[name] = NodeOutcome.SKIPPED
                        del pending[name]
                        on_skip(name)
                        progressed = True
                    elif all(s is NodeOutcome.SUCCEEDED for s in states):
                        del pending[name]
                        running[pool.submit(run_node, name)] = name
                        progressed = True
            if stopping:
                for name in pending:
                    outcome[name] = NodeOutcome.NOT_RUN
                pending.clear()
            if not running:
                if pending:  # nothing runnable and nothing running: cannot happen after check
                    for name in pending:
                        outcome[name] = NodeOutcome.NOT_RUN
                    pending.clear()
                break
            finished, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                name = running.pop(fut)
                try:
                    ok = fut.result()
                except BaseException:  # run_node records its own failure
                    ok = False
                outcome[name] = NodeOutcome.SUCCEEDED if ok else NodeOutcome.FAILED
    return outcome
