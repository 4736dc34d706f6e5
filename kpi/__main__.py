"""``python -m kpi …``: the command line."""

import sys

from kpi.cli import main

sys.exit(main())
