"""How a finished job's result reads on its page: each key of the runner's result as a labelled line in the
reader's language ("预热缓存：8 项"), not the dict itself."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

# The result keys of every runner (core.search_rebuild, core.notifications_digest, hotline.import,
# hotline.warm_caches, hotline.classify_missing, proposals.check_deadlines), each with its line; %(n)s is the
# value. minsheng/core/tests/test_words.py lists each kind's keys: a new runner adds its own there and here.
RESULT_LINES: dict[str, Any] = {
    "indexed": gettext_lazy("Objects indexed: %(n)s"),
    "date": gettext_lazy("Day: %(n)s"),
    "digests": gettext_lazy("Digests made: %(n)s"),
    "items": gettext_lazy("Notifications grouped: %(n)s"),
    "warmed": gettext_lazy("Caches warmed: %(n)s"),
    "classified": gettext_lazy("Tickets classified: %(n)s"),
    "reminded": gettext_lazy("Reminders sent: %(n)s"),
    "overdue": gettext_lazy("Records marked overdue: %(n)s"),
    "escalated": gettext_lazy("Records escalated to the office: %(n)s"),
    "rows": gettext_lazy("Rows read: %(n)s"),
    "imported": gettext_lazy("Tickets imported: %(n)s"),
    "skipped": gettext_lazy("Tickets skipped as already present: %(n)s"),
    "rejected": gettext_lazy("Rows rejected: %(n)s"),
    "encoding": gettext_lazy("File encoding: %(n)s"),
}


def _value(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


@register.filter
def result_lines(result: Any) -> list[str]:
    """The lines of a job's `result` (a dict), in its order; a key without a line shows as "key: value"."""
    if not isinstance(result, dict):
        return [str(result)] if result else []
    lines = []
    for key, value in result.items():
        if key == "report":  # the import's error report: a server path, offered as a download on the import page
            if value:
                lines.append(_("An error report was written; download it from the import page."))
            continue
        label = RESULT_LINES.get(key)
        lines.append(str(label) % {"n": _value(value)} if label else f"{key}: {_value(value)}")
    return lines
