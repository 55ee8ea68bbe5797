"""Forms of the hotline pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportSource


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"), help_text=_("UTF-8 or GBK; the first row holds the column names."))
    source = forms.ModelChoiceField(queryset=ImportSource.objects.all(), required=False, label=_("Column mapping"),
                                    empty_label=_("Standard columns"))


class RemapForm(forms.Form):
    """After an import: each column it did not recognise mapped to a field (or left out), saved as an import
    source under `source`, and the file imported again with it (`services.ticket_import_remap`)."""

    source = forms.CharField(label=_("Save the mapping as"), max_length=80)

    def __init__(self, *args, unknown: list[str], fields: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unknown = unknown
        choices = [("", _("(not imported)")), *fields]
        for i, header in enumerate(unknown):
            self.fields[f"map-{i}"] = forms.ChoiceField(label=header, choices=choices, required=False)

    def clean(self) -> dict:
        data = super().clean()
        chosen = [(data.get(f"map-{i}"), header) for i, header in enumerate(self.unknown) if data.get(f"map-{i}")]
        if not chosen:
            raise forms.ValidationError(_("Map at least one column to a field."))
        fields = [f for f, _header in chosen]
        if len(set(fields)) != len(fields):
            raise forms.ValidationError(_("Each field can be mapped to one column only."))
        data["mapping"] = {f: header for f, header in chosen}
        return data

    def column_fields(self) -> list:
        return [self[f"map-{i}"] for i in range(len(self.unknown))]
