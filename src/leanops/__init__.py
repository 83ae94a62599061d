"""Lean-Ops: shared code of the Lambdas, the Glue jobs and the local runner."""

__version__ = "0.1.0"
