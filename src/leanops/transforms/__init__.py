"""Pure transformations of the Glue jobs: DataFrame in, DataFrame out, no I/O.

* ``json_body``: parses one message body (pure Python; the only per-row Python code).
* ``standardize``: RAW envelopes -> parsed, deduplicated, flat standardized rows and parse errors.
* ``drift``: new, vanished and retyped body fields (pure Python).
* ``convert``: exact text -> type conversion of one contract field (Column -> Column).
* ``curate``: standardized text -> typed contract columns, error rows, latest version per key.

Nothing here imports boto3 or leanops.local; importing this package imports no Spark.
"""
