"""``python -m minsheng.textmining …`` runs the ``minsheng text`` command line."""

import sys

from minsheng.textmining.cli import main

sys.exit(main())
