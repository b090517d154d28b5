"""Institution name, logo and colours come from settings."""

import subprocess
import zlib

import pytest
from django.test import override_settings
from django.utils import timezone

from reports.services import build_report
from surveys import services
from surveys.demo import DEMO_INSTRUMENT
from surveys.models import Wave
from tests.reports.conftest import pdf_text

# A 2x2 PNG, written out byte by byte so the test needs no image library.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000208020000"
    "00fdd49a730000001649444154789c63f8cfc0f01f0418c00c30030019"
    "b0037d4f1e0c5b0000000049454e44ae426082"
)


def content_streams(path):
    data = path.read_bytes()
    parts = []
    for start in range(len(data)):
        if data.startswith(b"stream", start):
            body = data[start + 6:].lstrip(b"\r\n")
            end = body.find(b"endstream")
            try:
                parts.append(zlib.decompress(body[:end]))
            except zlib.error:
                continue
    return b"\n".join(parts)


@pytest.mark.django_db
def test_the_report_carries_the_institutions_name_logo_and_colour(tmp_path, demo_plan):
    logo = tmp_path / "logo.png"
    logo.write_bytes(TINY_PNG)
    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    wave = Wave.objects.create(slug="brand", title="Branded wave", instrument_version=version,
                               opens_at=now, closes_at=now + timezone.timedelta(days=7))

    with override_settings(UPTAKE_INSTITUTION_NAME="Klinikum Beispielstadt", UPTAKE_INSTITUTION_LOGO=str(logo),
                           UPTAKE_COLOURS=["#7a1f5c", "#0f7b6c", "#d9822b"]):
        built = build_report(wave, "strategy", "en", tmp_path / "strategy.pdf")

    assert "Klinikum Beispielstadt" in pdf_text(built.pdf)
    images = subprocess.run(["pdfimages", "-list", str(built.pdf)], capture_output=True, text=True, check=True).stdout
    assert any(line.split()[3:5] == ["2", "2"] for line in images.splitlines()[2:]), images
    # #7a1f5c as PDF fill colour: 122/255 31/255 92/255 = 0.478 0.122 0.361
    assert b"0.478431 0.121569 0.360784" in content_streams(built.pdf)
