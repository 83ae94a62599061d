"""``python -m leanops.local`` = the ``leanops`` CLI."""

import sys

from leanops.local.cli import main

sys.exit(main())
