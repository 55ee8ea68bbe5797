"""Forms of the proposal pages (the API validates with schemas; both call the same services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import LivelihoodTag, Member, Unit
from minsheng.core.text import strip_control

from .models import SubjectArea


class TextField(forms.CharField):
    """A text field without control characters (one pasted into a title once broke every export): a
    textarea keeps tab and line breaks, a one-line input keeps none. Removed before the checks, so a
    value of control characters alone counts as empty."""

    def to_python(self, value):
        if isinstance(value, str):
            value = strip_control(value, multiline=isinstance(self.widget, forms.Textarea))
        return super().to_python(value)


def searchable(*, multiple: bool = True) -> forms.Select:
    """A select that minsheng.js turns into a searchable one (Tom Select): type part of a name, pick it."""
    attrs = {"data-searchable": "", "data-placeholder": _("Type part of a name to search"),
             "data-no-results": _("No match")}
    return forms.SelectMultiple(attrs=attrs) if multiple else forms.Select(attrs=attrs)


class ProposalForm(forms.Form):
    title = TextField(label=_("Title (案由)"), max_length=120)
    situation = TextField(label=_("Situation"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    analysis = TextField(label=_("Analysis"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    suggestions = TextField(label=_("Suggestions"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    subject_area = forms.ModelChoiceField(label=_("Subject area"), queryset=SubjectArea.objects.all(), required=False)
    tags = forms.ModelMultipleChoiceField(label=_("七有 / 五性 tags"), queryset=LivelihoodTag.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    suggested_units = forms.ModelMultipleChoiceField(label=_("Suggested handling units"), required=False,
                                                     queryset=Unit.objects.filter(active=True), widget=searchable())
    cosigners = forms.ModelMultipleChoiceField(label=_("Co-signers (they must confirm)"), required=False,
                                               queryset=Member.objects.filter(status="active"), widget=searchable())
    consent_publish = forms.BooleanField(label=_("I agree to publication"), required=False, initial=True)
    is_urgent = forms.BooleanField(label=_("Urgent: ask for the fast track (直通车)"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control")
        if editing:
            del self.fields["cosigners"]

    def full_clean(self) -> None:
        """Validate, then mark each field in error (`is-invalid`) for the page; minsheng.js clears the mark
        once the user edits the field."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
