"""Forms of the workspace. Wave dates are checked here, so researchers read a sentence, not a constraint name."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob
from studies.models import ExportJob, Membership, Study
from studies.questionnaires import templates
from surveys.file_limits import validate_upload_size
from surveys.models import Response, Wave

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


class CrossTabForm(forms.Form):
    """Two closed questions of the wave, by code (their labels in the page's language)."""

    rows = forms.ChoiceField(label=_("Rows"))
    columns = forms.ChoiceField(label=_("Columns"))

    def __init__(self, data, questions):
        super().__init__(data)
        choices = [(question.code, question.title) for question in questions]
        self.fields["rows"].choices = self.fields["columns"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rows") and cleaned.get("rows") == cleaned.get("columns"):
            self.add_error("columns", _("Choose a different question for the columns than for the rows."))
        return cleaned


class ResponseFilterForm(forms.Form):
    """The response list's filters; all optional. An answer is chosen as "question code:answer value"."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    device = forms.ChoiceField(label=_("Device class"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    started_from = forms.DateField(label=_("Started on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    started_to = forms.DateField(label=_("Started on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    answer = forms.ChoiceField(label=_("Answer"), required=False)

    def __init__(self, data, questions, device_classes):
        super().__init__(data)
        everyone = [("", _("all"))]
        self.fields["status"].choices = everyone + list(Response.Status.choices)
        self.fields["device"].choices = everyone + [(code, label) for code, label in device_classes.items()]
        self.fields["language"].choices = everyone + list(settings.LANGUAGES)
        self._answers = {f"{question.code}:{value}": (question.code, value)
                         for question in questions for value, _label in question.categories}
        self.fields["answer"].choices = everyone + [
            (question.title, [(f"{question.code}:{value}", label) for value, label in question.categories])
            for question in questions]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and end < start:
            self.add_error("started_to", _("Choose an end date on or after the start date."))
        return cleaned

    def chosen_answer(self) -> tuple[str, object] | None:
        """(item code, stored value) of the chosen answer, or None."""
        return self._answers.get(self.cleaned_data.get("answer") or "")
