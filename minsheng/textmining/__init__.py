"""Minsheng's Chinese text engine: pure Python, no Django.

Modules: ``normalize`` (clean and mask text), ``segment`` (words), ``classify`` (taxonomy models),
``dedupe`` (near-duplicates), ``io`` (CSV helpers), ``cli`` (``minsheng text …``), plus hot issues,
spam and replies.
"""

#: The major version changes when features are computed differently (models of another major
#: version are refused); 1.1 added the ``requires`` list of screening models.
ENGINE_VERSION = "1.1"
