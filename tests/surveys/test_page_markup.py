"""A page's items are written in Python (`page_items`), so their escaping is tested here: every researcher-written
text of every item type comes out as text, never as markup, and each error and help text is announced by the
field it belongs to."""

import re

import pytest

from .builders import make_instrument_version, make_wave, invite, start

HOSTILE = '<script>alert(1)</script>"'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;"

INSTRUMENT = f"""
code: hostile
title: {{de: Umfrage, en: Survey}}
information: {{de: Info., en: Info.}}
consent:
  agree: {{de: Ja., en: Yes.}}
thanks: {{de: Danke!, en: Thanks!}}
pages:
  - code: everything
    items:
      - code: choice
        type: single_choice
        required: true
        text: {{de: 'Wahl {HOSTILE}', en: 'Choice {HOSTILE}'}}
        help: {{de: 'Hilfe {HOSTILE}', en: 'Help {HOSTILE}'}}
        options:
          - {{code: a, label: {{de: 'Option {HOSTILE}', en: 'Option {HOSTILE}'}}}}
        other: {{de: 'Andere {HOSTILE}', en: 'Other {HOSTILE}'}}
      - code: matrix
        type: likert_matrix
        points: 5
        labels: [{{de: a, en: a}}, {{de: b, en: b}}, {{de: c, en: c}}, {{de: d, en: d}}, {{de: e, en: e}}]
        required: true
        text: {{de: 'Matrix {HOSTILE}', en: 'Matrix {HOSTILE}'}}
        help: {{de: 'Matrixhilfe {HOSTILE}', en: 'Matrix help {HOSTILE}'}}
        rows:
          - {{code: row_1, text: {{de: 'Zeile {HOSTILE}', en: 'Row {HOSTILE}'}}}}
      - code: nps
        type: scale_0_10
        text: {{de: 'Skala {HOSTILE}', en: 'Scale {HOSTILE}'}}
        low: {{de: 'niedrig {HOSTILE}', en: 'low {HOSTILE}'}}
        high: {{de: 'hoch {HOSTILE}', en: 'high {HOSTILE}'}}
      - code: hours
        type: number
        text: {{de: 'Stunden {HOSTILE}', en: 'Hours {HOSTILE}'}}
        unit: {{de: 'Std. {HOSTILE}', en: 'h {HOSTILE}'}}
"""


@pytest.mark.django_db
def test_every_text_of_every_item_type_is_escaped_and_errors_are_announced(client, tmp_path):
    wave = make_wave(tmp_path, version=make_instrument_version(tmp_path, INSTRUMENT, "hostile.yaml"))
    page_url = start(client, wave, invite(wave))
    client.cookies.load({"django_language": "en"})
    html = client.post(page_url, {"next": "1"}).content.decode()  # required items left empty: errors shown

    assert "<script>" not in html
    for text in ("Choice", "Help", "Option", "Other", "Matrix", "Matrix help", "Row", "Scale", "low", "high", "Hours",
                 "h"):
        assert f"{text} {ESCAPED}" in html, text
    for field in ("id_choice", "id_row_1"):  # the field's error paragraph, named by the field
        described = re.search(rf'id="{field}-label" aria-describedby="([^"]+)"', html).group(1).split()
        assert f"{field}-error" in described
        assert all(f'id="{identifier}"' in html for identifier in described)
