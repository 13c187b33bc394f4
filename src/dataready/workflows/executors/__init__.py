"""Executors run workflow runs; the store holds all state, so they are interchangeable."""
