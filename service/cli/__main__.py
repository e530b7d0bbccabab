"""`python -m service.cli`: the `narrate` command."""

import sys

from service.cli.main import main

sys.exit(main())
