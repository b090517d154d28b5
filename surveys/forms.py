"""A Django form for one instrument page, built from its items.

Each item becomes one field (a Likert matrix one field per row); the form converts between the
stored JSON answers and field values, so validation happens on the server with Django's messages.
"""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from surveys import flow
from surveys.templatetags.survey_text import html_attributes
from surveys.instruments import (
    NOT_APPLICABLE,
    Dropdown,
    Likert,
    LikertMatrix,
    LongText,
    MultipleChoice,
    Number,
    Scale010,
    ShortText,
    SingleChoice,
    option_order,
)

OTHER = "other"


class ConsentForm(forms.Form):
    consent = forms.BooleanField(required=True)
    linkage = forms.BooleanField(required=False)


class PageForm(forms.Form):
    """Fields for the visible items of one page, in the respondent's language."""

    def __init__(self, page, instrument, language, answers, other_texts, seed, data=None, relax_required=False):
        super().__init__(data=data)
        self.instrument = instrument
        self.language = language
        self.groups = []  # (item, [bound fields], other bound field or None) for the template
        for item in flow.visible_items(page, answers):
            self._add_item(item, answers, other_texts, seed, relax_required)

    def _add_item(self, item, answers, other_texts, seed, relax_required):
        text = lambda value: value.get(self.language) if value else ""
        required = item.required and not relax_required
        names, other_name = [], None
        if isinstance(item, LikertMatrix):
            for row in item.rows:
                self.fields[row.code] = forms.TypedChoiceField(
                    label=text(row.text), choices=self._likert_choices(item), required=required,
                    coerce=_likert_value, widget=forms.RadioSelect,
                )
                self.initial[row.code] = answers.get(row.code)
                names.append(row.code)
        else:
            self.fields[item.code] = self._field(item, required, seed)
            self.fields[item.code].label = text(item.text)
            self.fields[item.code].help_text = text(item.help)
            self.initial[item.code] = answers.get(item.code)
            names.append(item.code)
            if getattr(item, "other", None):
                other_name = f"{item.code}_{OTHER}"
                # A name of its own, so a screen reader does not announce two controls called "Other".
                details = _("Details for “%(option)s”") % {"option": text(item.other).rstrip(" :")}
                self.fields[other_name] = forms.CharField(label=details, required=False, max_length=500, widget=TextInput)
                self.initial[other_name] = other_texts.get(item.code, "")
        self.groups.append((item, names, other_name))

    def _field(self, item, required, seed):
        label = lambda option: option.label.get(self.language)
        if isinstance(item, (SingleChoice, MultipleChoice, Dropdown)):
            choices = [(option.code, label(option)) for option in option_order(item, seed)]
            if item.other:
                choices.append((OTHER, item.other.get(self.language)))
            if isinstance(item, MultipleChoice):
                return forms.MultipleChoiceField(choices=choices, required=required, widget=forms.CheckboxSelectMultiple)
            if isinstance(item, Dropdown):
                return forms.ChoiceField(choices=[("", "—")] + choices, required=required, widget=Select)
            return forms.ChoiceField(choices=choices, required=required, widget=forms.RadioSelect)
        if isinstance(item, Likert):
            return forms.TypedChoiceField(
                choices=self._likert_choices(item), required=required, coerce=_likert_value, widget=forms.RadioSelect
            )
        if isinstance(item, Scale010):
            return forms.TypedChoiceField(
                choices=[(value, str(value)) for value in range(11)], required=required, coerce=int, widget=forms.RadioSelect
            )
        if isinstance(item, Number):
            field_class = forms.IntegerField if item.integer else forms.FloatField
            return field_class(required=required, min_value=item.min, max_value=item.max, widget=NumberInput)
        if isinstance(item, LongText):
            return forms.CharField(required=required, max_length=item.max_length, widget=forms.Textarea(attrs={"rows": 5}))
        if isinstance(item, ShortText):
            return forms.CharField(required=required, max_length=item.max_length, widget=TextInput)
        raise TypeError(f"no form field for item type {type(item).__name__}")

    def _likert_choices(self, item):
        labels = self.instrument.likert_labels(item)
        choices = [(position, labels[position - 1].get(self.language)) for position in range(1, item.points + 1)]
        if item.not_applicable:
            choices.append((NOT_APPLICABLE, item.not_applicable.get(self.language)))
        return choices

    def clean(self):
        cleaned = super().clean()
        for item, names, other_name in self.groups:
            value = cleaned.get(names[0])
            if other_name and _chose_other(value) and not cleaned.get(other_name, "").strip():
                self.add_error(other_name, _("Please specify your answer."))
            if isinstance(item, MultipleChoice) and isinstance(value, list) and len(value) > 1:
                exclusive = [option.code for option in item.options if option.exclusive and option.code in value]
                if exclusive:
                    self.add_error(names[0], _("“%(option)s” cannot be combined with other answers.") % {
                        "option": next(o.label.get(self.language) for o in item.options if o.code == exclusive[0])
                    })
        return cleaned

    def answer_values(self):
        """code -> (stored value or None, other text) for every field that validated.

        On a valid form that is every field (None clears an earlier answer); going back with
        errors keeps the valid fields and leaves the stored answers of invalid ones alone.
        """
        values = {}
        for _item, names, other_name in self.groups:
            other = (self.cleaned_data.get(other_name) or "").strip() if other_name else ""
            for name in names:
                if name not in self.cleaned_data:
                    continue
                value = self.cleaned_data[name]
                values[name] = (None if value in (None, "", []) else value, other if _chose_other(value) else "")
        return values

    def bound_groups(self):
        """(item, bound fields, bound 'other' field) per item, with help and errors tied to inputs."""
        for name, field in self.fields.items():
            bound = self[name]
            # Radio and checkbox groups are described on their fieldset in the template.
            described = [f"{bound.auto_id}-help"] if field.help_text else []
            if bound.errors:
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described and not isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                field.widget.attrs["aria-describedby"] = " ".join(described)
        return [
            (item, [self[name] for name in names], self[other_name] if other_name else None)
            for item, names, other_name in self.groups
        ]


class Select(forms.Select):
    """Django's <select>, written without a template per option (a department list has dozens,
    and their templates cost more than the rest of the page)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'\n  <option value="{escape(option["value"])}"{html_attributes(option["attrs"])}>'
            f'{conditional_escape(option["label"])}</option>'
            for _group, options, _index in widget["optgroups"] for option in options)
        return mark_safe(f'<select name="{escape(name)}"{html_attributes(widget["attrs"])}>{options}\n</select>')


class PlainInput:
    """An <input> as Django's widget template writes it, without rendering that template (each "other"
    text box and number field cost about as much as the rest of its item)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(f'<input type="{widget["type"]}" name="{escape(name)}"{value}{html_attributes(widget["attrs"])}>')


class TextInput(PlainInput, forms.TextInput):
    pass


class NumberInput(PlainInput, forms.NumberInput):
    pass


def _chose_other(value):
    return value == OTHER or (isinstance(value, list) and OTHER in value)


def _likert_value(value):
    return value if value == NOT_APPLICABLE else int(value)
