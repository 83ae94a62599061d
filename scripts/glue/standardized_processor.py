"""Glue entry point of the standardized layer: thin wiring around leanops.jobs (see GlueEntryPoint).

``main(argv=None, spark=None) -> JobReport``; in Glue, ``--LEANOPS_*`` job arguments (Terraform's
default arguments plus ``--LEANOPS_TOPICS`` from Step Functions); locally, the runner calls
``main(argv, spark=its_session)``.
"""

from leanops.definitions import STANDARDIZED
from leanops.jobs.entry import GlueEntryPoint

main = GlueEntryPoint(STANDARDIZED)

if __name__ == "__main__":
    main()
