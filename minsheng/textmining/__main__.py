"""``python -m minsheng.textmining …`` runs the ``minsheng text`` command line (a leading
``text``, as in ``minsheng text train``, may be given or left out)."""

import sys

from minsheng.textmining.cli import main

arguments = sys.argv[1:]
sys.exit(main(arguments[1:] if arguments[:1] == ["text"] else arguments))
