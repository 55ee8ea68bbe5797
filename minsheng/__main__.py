"""``python -m minsheng …`` runs the ``minsheng`` command line (``python -m minsheng text …``,
``python -m minsheng serve`` …) where the ``minsheng`` script is not on the PATH."""

import sys

from minsheng.cli import main

sys.exit(main())
