"""`python -m subsidy_engine`: the `subsidy-engine` command line."""

from subsidy_engine.cli import main

raise SystemExit(main())
