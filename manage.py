#!/usr/bin/env python
"""Django's command-line utility for Minsheng (the `minsheng` console script wraps it)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
