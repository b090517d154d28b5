from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob
from surveys.models import Wave


class ReportRequestForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=Wave.objects.order_by("-opens_at"), label=_("Wave"), to_field_name="slug")
    kind = forms.ChoiceField(choices=ReportJob.Kind.choices, label=_("Report"))
    language = forms.ChoiceField(choices=ReportJob.Language.choices, label=_("Language"))
