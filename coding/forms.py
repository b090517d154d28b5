"""Forms of the coding pages: the size of a sample to draw, checked here so a bad value reads as a sentence."""

from django import forms
from django.utils.translation import gettext_lazy as _

SAMPLE_SIZE = 40
SAMPLE_SIZE_MIN = 2
SAMPLE_SIZE_MAX = 1000


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("Sample size"), min_value=SAMPLE_SIZE_MIN, max_value=SAMPLE_SIZE_MAX,
                              initial=SAMPLE_SIZE)
