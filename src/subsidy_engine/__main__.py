"""`python -m subsidy_engine …`: the same command line as `subsidy-engine …`."""

import sys

from subsidy_engine.cli import main

sys.exit(main())
