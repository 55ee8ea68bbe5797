from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_notification_preferences'),
    ]

    operations = [
        migrations.AddField(
            model_name='unit',
            name='document_code',
            field=models.CharField(blank=True, help_text="The unit's code (机关代字) in its document numbers: 京民 gives reply letters numbered 京民提复〔2026〕12号. Empty: the short name, else the name.", max_length=20, verbose_name='document code'),
        ),
    ]
