"""Minsheng's Chinese text engine: pure Python, no Django.

Modules: ``normalize`` (clean and mask text), ``segment`` (words), ``classify`` (taxonomy models),
``dedupe`` (near-duplicates), ``io`` (CSV helpers), ``cli`` (``minsheng text …``), plus hot issues,
spam and replies.
"""

ENGINE_VERSION = "1.0"
