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


class ProposalForm(forms.Form):
    title = TextField(label=_("Title (案由)"), max_length=120)
    situation = TextField(label=_("Situation"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    analysis = TextField(label=_("Analysis"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    suggestions = TextField(label=_("Suggestions"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    subject_area = forms.ModelChoiceField(label=_("Subject area"), queryset=SubjectArea.objects.all(), required=False)
    tags = forms.ModelMultipleChoiceField(label=_("七有 / 五性 tags"), queryset=LivelihoodTag.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    suggested_units = forms.ModelMultipleChoiceField(label=_("Suggested handling units"), required=False,
                                                     queryset=Unit.objects.filter(active=True))
    cosigners = forms.ModelMultipleChoiceField(label=_("Co-signers (they must confirm)"), required=False,
                                               queryset=Member.objects.filter(status="active"))
    consent_publish = forms.BooleanField(label=_("I agree to publication"), required=False, initial=True)
    is_urgent = forms.BooleanField(label=_("Urgent: ask for the fast track (直通车)"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control")
        if editing:
            del self.fields["cosigners"]
