"""Background jobs (django-tasks, database backend: `manage.py db_worker`): mailouts and the retention job."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from studies import mailing
from studies.models import MailKind, Mailout
from surveys.models import Wave


@task()
def send_mailout(mailout_id: int) -> None:
    mailing.run_mailout(mailout_id)


@task()
def purge_wave_addresses(wave_id: int) -> None:
    """Delete the wave's participant list once it has closed; if it was extended, come back then."""
    wave = Wave.objects.get(pk=wave_id)
    if wave.closes_at > timezone.now():
        purge_wave_addresses.using(run_after=wave.closes_at).enqueue(wave.pk)
        return
    mailing.delete_addresses(wave)


@task()
def purge_closed_wave_addresses() -> None:
    mailing.purge_closed_wave_addresses()


def schedule_mailout(wave: Wave, kind: str, send_at: datetime | None = None, only: dict | None = None) -> Mailout:
    """A mailout sent by the task worker at send_at (now if not given), to participants with the attributes `only`.

    Invitations bring their reminders (UPTAKE_REMINDER_DAYS after them, while the wave is open, to
    the same participants) and the deletion of the addresses when the wave closes.
    """
    send_at, only = send_at or timezone.now(), only or {}
    mailout = Mailout.objects.create(wave=wave, kind=kind, send_at=send_at, only=only)
    mailouts = [mailout]
    if kind == MailKind.INVITATION:
        for days in settings.UPTAKE_REMINDER_DAYS:
            reminder_at = send_at + timedelta(days=days)
            if reminder_at < wave.closes_at:
                mailouts.append(Mailout.objects.create(wave=wave, kind=MailKind.REMINDER, send_at=reminder_at, only=only))
        transaction.on_commit(lambda: purge_wave_addresses.using(run_after=wave.closes_at).enqueue(wave.pk))
    for each in mailouts:
        transaction.on_commit(lambda each=each: send_mailout.using(run_after=each.send_at).enqueue(each.pk))
    return mailout
