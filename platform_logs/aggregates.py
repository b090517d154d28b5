"""A wave as a consortium bundle: sufficient statistics of the answers and the linked usage, signed.

The statistics and disclosure rules are `analysis.aggregates`; this module gathers what they
need from the database (the export with usage, the items' fingerprints, the wave's headcounts),
reads or creates the site's signing key, and writes the bundle. It lives beside the usage export
because the bundle summarises the linked usage columns too (surveys never reads platform_logs).
"""

import json
import os
from pathlib import Path

from django.conf import settings

from analysis.aggregates import load_private_key, new_private_key_pem, public_key_text, sign_bundle, site_aggregates
from analysis.pipeline.io import dataset_from_frames, open_private
from platform_logs.export import linkage_summary, wave_table_with_usage
from surveys.instrument_files import core_version, item_fingerprint
from surveys.models import Response


def signing_key(path=None):
    """The site's Ed25519 key from its file (created with mode 0600 on first use)."""
    path = Path(path or settings.UPTAKE_SIGNING_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new_private_key_pem())
    return load_private_key(path)


def item_fingerprints(instrument):
    """Item code -> content hash of every item of the wave's instrument (label sets written out)."""
    return {item.code: item_fingerprint(item, instrument.label_sets) for _page, item in instrument.items()}


def wave_headcounts(wave, registered_users=None):
    """Counts of people for the bundle: completed responses, registered users if given, linkage counts."""
    linkage = linkage_summary(wave)
    counts = {"responses_completed": wave.responses.filter(status=Response.Status.COMPLETED).count(),
              "registered_users": registered_users,
              "linkage_consenting": linkage.consenting_respondents, "linkage_linked": linkage.respondents_linked,
              "platform_users_active": linkage.platform_users}
    return {key: value for key, value in counts.items() if value is not None}


def export_aggregates(wave, out, *, site, threshold, rounding=None, strata=(), contrasts=(), registered_users=None,
                      key_path=None):
    """Write the signed bundle of `wave` to `out`; return (path, public key of the site)."""
    table, codebook = wave_table_with_usage(wave)
    dataset = dataset_from_frames(table, codebook)
    instrument = wave.instrument_version.spec
    payload = site_aggregates(
        dataset.data, dataset.codebook, site=site, wave=wave.slug, threshold=threshold, rounding=rounding,
        strata=tuple(strata), contrasts=tuple(contrasts), fingerprints=item_fingerprints(instrument),
        core=core_version(), headcounts=wave_headcounts(wave, registered_users),
    )
    key = signing_key(key_path)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_private(out, "w", encoding="utf-8") as handle:
        json.dump(sign_bundle(payload, key), handle, ensure_ascii=False, indent=1, sort_keys=True)
    return out, public_key_text(key.public_key())
