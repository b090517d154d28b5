from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from studies.mailing import run_mailout
from studies.management.commands._wave import attribute_filter_option, wave_by_slug
from studies.models import MailKind
from studies.participant_lists import ParticipantListError, add_participants, read_participant_csv, read_webui_accounts
from studies.tasks import schedule_mailout


class Command(BaseCommand):
    help = (
        "Add participants to a wave (CSV with columns email,language[,attributes…], or every active account "
        "of an Open WebUI database) and e-mail each their own invitation link: now, or with --at by the task "
        "worker. Reminders are scheduled UPTAKE_REMINDER_DAYS later."
    )

    def add_arguments(self, parser):
        parser.add_argument("wave")
        parser.add_argument("--only", default="", help="only participants with these attributes, e.g. role=nurse")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--participants", help="CSV file: email,language[,attributes…]")
        source.add_argument("--webui-db", help="Open WebUI's webui.db: invite every active account")
        parser.add_argument("--at", help="send at this time (ISO 8601, e.g. 2026-12-01T09:00) instead of now")

    def handle(self, wave, participants=None, webui_db=None, at=None, only="", **options):
        found = wave_by_slug(wave)
        send_at, only = _parse_time(at), attribute_filter_option(only)
        try:
            if participants:
                people = _read_csv(Path(participants))
                added = add_participants(found, people, participants)
            elif webui_db:
                added = add_participants(found, read_webui_accounts(Path(webui_db)), webui_db)
            else:
                added = 0
        except ParticipantListError as error:
            raise CommandError("\n".join([f"{error.source}: nothing imported"] + error.problems)) from error
        self.stdout.write(f"{added} participants added to {found.slug}")
        mailout = schedule_mailout(found, MailKind.INVITATION, send_at, only)
        if send_at is not None:
            self.stdout.write(f"invitations scheduled for {send_at:%Y-%m-%d %H:%M %Z} (mailout {mailout.pk})")
            return
        mailout = run_mailout(mailout.pk)
        self.stdout.write(f"invitations: {mailout.sent} sent, {mailout.failed} failed of {mailout.total}"
                          + (f" ({mailout.error})" if mailout.error else ""))


def _read_csv(path: Path):
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return read_participant_csv(stream, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the participant list ({exc})") from exc


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--at {text!r}: expected ISO 8601 like 2026-12-01T09:00") from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
