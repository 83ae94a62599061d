"""``python -m leanops.cli`` = the ``leanops`` CLI."""

import sys

from leanops.cli.main import main

sys.exit(main())
