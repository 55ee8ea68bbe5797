"""Forms of the hotline pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportSource


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"), help_text=_("UTF-8 or GBK; the first row holds the column names."))
    source = forms.ModelChoiceField(queryset=ImportSource.objects.all(), required=False, label=_("Column mapping"),
                                    empty_label=_("Standard columns"))
