from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studies.mailing import attribute_filter
from studies.mail_texts import PLACEHOLDERS, MailTextError, unknown_placeholders
from studies.models import MailKind, MailTemplate
from surveys.file_limits import validate_upload_size


class ParticipantListForm(forms.Form):
    participants = forms.FileField(
        label=_("Participant list (CSV)"),
        help_text=_("Columns email,language, then any attributes (e.g. role, department); a subject column is optional. UTF-8."),
        validators=[validate_upload_size],
    )


class AddParticipantForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(label=_("Language of the mails"), choices=settings.LANGUAGES)


class MailoutForm(forms.Form):
    kind = forms.ChoiceField(label=_("Mail"), choices=MailKind.choices)
    send_at = forms.DateTimeField(
        label=_("Send at"), required=False, help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    only = forms.CharField(
        label=_("Only participants with"), required=False,
        help_text=_("Attributes from the list, e.g. role=nurse; several separated by commas. Empty: everyone."),
    )

    def clean_only(self):
        try:
            return attribute_filter(self.cleaned_data["only"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at is not None and send_at < timezone.now():
            raise forms.ValidationError(_("This time has passed; leave the field empty to send now."))
        return send_at


class MailTemplateForm(forms.ModelForm):
    class Meta:
        model = MailTemplate
        fields = ["subject", "body"]
        labels = {"subject": _("Subject"), "body": _("Text")}
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled in per request: "%" on a lazy text at class level froze it in the language active at import.
        self.fields["body"].help_text = _("Plain text or Markdown. Placeholders: %(names)s") % {
            "names": ", ".join("{" + name + "}" for name in PLACEHOLDERS)}

    def clean_subject(self):
        """A line break in a subject would start a new mail header (header injection); refuse it here."""
        subject = self.cleaned_data["subject"]
        if "\r" in subject or "\n" in subject:
            raise forms.ValidationError(_("The subject must be one line: remove the line break."))
        return subject

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "body"):
            try:
                unknown = unknown_placeholders(cleaned.get(name) or "")
            except MailTextError as exc:
                self.add_error(name, str(exc))
                continue
            if unknown:
                self.add_error(name, _("Unknown placeholder: %(names)s") % {"names": ", ".join(unknown)})
        if "{link}" not in (cleaned.get("body") or ""):
            self.add_error("body", _("The text needs the {link} placeholder: each participant's own link."))
        if "{opt_out_link}" not in (cleaned.get("body") or ""):
            self.add_error("body", _("The text needs the {opt_out_link} placeholder: every mail offers an opt-out."))
        return cleaned
