"""Forms of the workspace. Wave dates are checked here, so researchers read a sentence, not a constraint name."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob
from studies.models import ExportJob, Membership, Study
from studies.questionnaires import templates
from surveys.file_limits import validate_upload_size
from surveys.models import Wave

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StudyForm(forms.ModelForm):
    template = forms.ChoiceField(label=_("Start with"), required=False)

    class Meta:
        model = Study
        fields = ["title", "slug"]
        labels = {"title": _("Title"), "slug": _("Short name (used in addresses)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("no questionnaire yet (upload one later)")),
                                           *((template.name, template.label) for template in templates())]


class StudyCopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=Study._meta.get_field("title").max_length)


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(label=_("Questionnaire file (Uptake YAML, LimeSurvey .lss, XLSForm .xlsx, REDCap data dictionary .csv)"),
                           validators=[validate_upload_size])


class WaveDatesMixin:
    """The check behind the database constraint `wave_closes_after_it_opens`, as a sentence on the field."""

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at") or getattr(self.instance, "opens_at", None), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The wave must close after it opens: choose a closing date after the opening date."))
        return cleaned


class WaveForm(WaveDatesMixin, forms.ModelForm):
    class Meta:
        model = Wave
        fields = ["title", "slug", "instrument_version", "privacy_mode", "opens_at", "closes_at"]
        labels = {"title": _("Title"), "slug": _("Short name (used in the survey address)"),
                  "instrument_version": _("Questionnaire version"), "privacy_mode": _("Privacy mode"),
                  "opens_at": _("Opens at"), "closes_at": _("Closes at")}
        widgets = {"opens_at": DATETIME_INPUT, "closes_at": DATETIME_INPUT}

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        versions = self.fields["instrument_version"].queryset.filter(instrument_id=study.instrument_id)
        self.fields["instrument_version"].queryset = versions.order_by("-number")
        self.fields["instrument_version"].empty_label = None
        self.fields["instrument_version"].label_from_instance = lambda version: _("Version %(number)s of %(date)s") % {
            "number": version.number, "date": date_format(timezone.localtime(version.created_at), "SHORT_DATE_FORMAT")}


class WaveExtendForm(WaveDatesMixin, forms.ModelForm):
    class Meta:
        model = Wave
        fields = ["closes_at"]
        labels = {"closes_at": _("New closing date")}
        widgets = {"closes_at": DATETIME_INPUT}

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a closing date in the future."))
        return closes_at


class WaveScheduleForm(WaveDatesMixin, forms.ModelForm):
    """Both dates of a wave that has not opened yet, such as a copied one."""

    class Meta:
        model = Wave
        fields = ["opens_at", "closes_at"]
        labels = {"opens_at": _("Opens at"), "closes_at": _("Closes at")}
        widgets = {"opens_at": DATETIME_INPUT, "closes_at": DATETIME_INPUT}

    def clean_opens_at(self):
        opens_at = self.cleaned_data["opens_at"]
        if opens_at <= timezone.now():
            raise forms.ValidationError(_("Choose an opening date in the future, or open the wave now on its page."))
        return opens_at


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportJob.Format.choices, label=_("Format"))
    with_usage = forms.BooleanField(required=False, label=_("With usage features (only respondents who consented)"))
    language = forms.ChoiceField(choices=ReportJob.Language.choices, label=_("Language of labels"))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportJob.Kind.choices, label=_("Report"))
    language = forms.ChoiceField(choices=ReportJob.Language.choices, label=_("Language"))


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(choices=[*Membership.Role.choices, ("", _("no role (remove)"))], required=False, label=_("Role"))

    def clean_username(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("There is no account with this user name; the person logs in once first."))
        return user
