"""Seed the default rate rule set and the category tree of the published top ten (domain.md §3.4).

Both are editable: the rule set by new versions, the tree in admin. Seeds only add what is missing."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from minsheng.hotline.synthetic import TOPICS

    RuleSet = apps.get_model("hotline", "RateRuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(
            name="接诉即办三率（默认）", version=1, active=True, valid_from=dt.date(2019, 1, 1), assessed_kinds=[], dispatched_only=True,
            resolution_denominator="revisited", satisfaction_denominator="revisited",
            weight_satisfied=1, weight_basic="0.8", weight_unsatisfied=0,
            score_weights={"default": {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45}},
            min_tickets=10, list_size=5,
            note="[VERIFY] domain.md §3.2/§D: the official formulas and weights are not published. "
                 "响应率 = responded in time ÷ assessable; 解决率 = resolved ÷ assessable revisited; "
                 "满意率 = (满意 + 0.8 × 基本满意) ÷ assessable rated.",
        )
    Category = apps.get_model("hotline", "Category")
    order1: dict[str, int] = {}
    for topic in TOPICS:
        root, _ = Category.objects.get_or_create(parent=None, name=topic.level1,
                                                 defaults={"level": 1, "order": len(order1) + 1})
        order1.setdefault(topic.level1, root.order)
        if topic.name == topic.level1:
            continue
        node, _ = Category.objects.get_or_create(parent=root, name=topic.name, defaults={"level": 2})
        for i, leaf in enumerate(topic.leaves, 1):
            Category.objects.get_or_create(parent=node, name=leaf, defaults={"level": 3, "order": i})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
