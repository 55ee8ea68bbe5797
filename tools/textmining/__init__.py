"""Development tools for the text engine (``minsheng.textmining``): not part of the product.

Run from the repository root, e.g. ``.venv/bin/python -m tools.textmining.screen_eval spam-cv``.
"""
