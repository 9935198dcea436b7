"""`python -m hyperv_emu.cli`: the same as the `hvemu` console script."""

import sys

from hyperv_emu.cli.main import main

sys.exit(main())
