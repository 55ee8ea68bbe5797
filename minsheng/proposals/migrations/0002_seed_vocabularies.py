"""Seed subject areas, the national ten grounds for not filing, and result categories A/B/C (all editable)."""

from django.db import migrations

AREAS = ["经济科技", "城乡建设管理", "公共事业发展", "社会法治建设"]
NOT_FILED = [
    ("secrets", "涉及党和国家秘密的"),
    ("forbidden", "涉及国家明令禁止的"),
    ("party-internal", "党员对党内组织、人事问题提出意见的"),
    ("democratic-party-internal", "民主党派成员对本党派内部事务提出意见的"),
    ("litigation", "已进入诉讼、仲裁程序的"),
    ("academic", "属于学术探讨的"),
    ("personal", "涉及提案者本人及其亲属个人事务的"),
    ("promotion", "宣传推介具体作品、产品的"),
    ("accusation", "属于指明举报的"),
    ("empty", "内容空泛、没有具体建议的"),
]
CATEGORIES = [
    ("A", "所提问题已经解决或基本解决（采纳）", True, False),
    ("B", "所提问题正在解决或已列入计划拟解决", True, True),
    ("C", "因条件限制一时难以解决、留作参考", False, False),
]


def seed(apps, schema_editor):
    SubjectArea = apps.get_model("proposals", "SubjectArea")
    for order, name in enumerate(AREAS, 1):
        SubjectArea.objects.get_or_create(name=name, defaults={"order": order})
    Reason = apps.get_model("proposals", "NotFiledReason")
    for order, (code, text) in enumerate(NOT_FILED, 1):
        Reason.objects.get_or_create(code=code, defaults={"text": text, "order": order})
    Category = apps.get_model("proposals", "ResultCategory")
    for code, label, adopted, follow_up in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"label": label, "adopted": adopted, "needs_follow_up": follow_up})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
