"""Glue entry point of table maintenance: thin wiring around leanops.jobs.maintenance.

``main(argv=None, spark=None) -> MaintenanceReport``; in Glue, ``--LEANOPS_*`` job arguments
(Terraform's default arguments plus the schedule's: retention, cycle lock id); locally, the
runner calls ``main(argv, spark=its_session)``. Compaction, snapshot expiry (never a snapshot a
checkpoint still needs) and orphan-file removal, each topic under its lock.
"""

from leanops.jobs.maintenance_entry import main

if __name__ == "__main__":
    main()
