"""`python -m service.cli.batch --worker OPTIONS`: one in-process worker (see local.py)."""

import sys

from service.cli.batch.local import worker_main

if sys.argv[1:2] == ["--worker"] and len(sys.argv) == 3:
    worker_main(sys.argv[2])
else:
    sys.exit("usage: narrate batch PATH... --out DIR (this module's own entry is internal)")
