"""The local runner: Lean-Ops on one machine (moto, local Spark, Iceberg on SQLite)."""
