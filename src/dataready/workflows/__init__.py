"""Orchestration: the workflow registry, the runner, executors and run services."""
