"""Settings of the transform tests."""

from __future__ import annotations

import os
import sys

# parse_bodies runs Python on Spark's workers (mapInArrow): they must use this interpreter (the one
# with leanops and pyarrow), not whatever `python3` is on PATH. Conftest files load at collection,
# before the session fixture of tests/conftest.py starts Spark.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
