"""Sending a wave's invitations and reminders, opting out, bounces, frame counts and the retention job.

Reminders pick their recipients from the participant list and the invitation's has_answered flag
only; nothing here reads a response. Addresses are decrypted one at a time while sending and are
never logged or written into a mailout's error text.
"""

import smtplib
import time
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from studies.addresses import address_hash, decrypt_address, link_token, opt_out_token
from studies.mail_texts import MailText, fill, mail_text, placeholder_values
from studies.models import MailKind, Mailout, Participant, ParticipantFrame
from surveys.models import Response, Wave
from surveys.services import hash_token, invitation_url

PROGRESS_EVERY = 25  # messages between progress writes
SAMPLE_TOKEN = "EXAMPLE-personal-link-token"


# --- links ----------------------------------------------------------------------------------------


def opt_out_url(token: str) -> str:
    path = reverse("studies:opt_out", kwargs={"token": token})
    return f"{settings.UPTAKE_BASE_URL.rstrip('/')}{path}"


def preview(wave: Wave, kind: str, language: str) -> MailText:
    """The mail as a sample participant would get it (with an example link that opens nothing)."""
    values = placeholder_values(wave, language, invitation_url(SAMPLE_TOKEN), opt_out_url(SAMPLE_TOKEN))
    return fill(mail_text(wave, kind, language), values)


# --- who gets a mail ------------------------------------------------------------------------------


def recipients(wave: Wave, kind: str, only: dict[str, str] | None = None) -> QuerySet:
    """Invitations go to everyone not yet reached; reminders to the invited who neither answered nor opted out.

    `only` narrows either to participants with these attributes (e.g. {"role": "nurse"}).
    """
    reachable = Participant.objects.filter(wave=wave, opted_out_at__isnull=True, bounced_at__isnull=True)
    for name, value in (only or {}).items():
        reachable = reachable.filter(**{f"attributes__{name}": value})
    if kind == MailKind.INVITATION:
        return reachable.filter(Q(invited_at__isnull=True) | Q(invitation_failed=True))
    return reachable.filter(invited_at__isnull=False, invitation_failed=False, invitation__has_answered=False)


def attribute_filter(text: str) -> dict[str, str]:
    """"role=nurse, department=surgery" as {"role": "nurse", "department": "surgery"}; empty: everyone."""
    only = {}
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals or not name.strip().isidentifier() or not value.strip():
            raise ValueError(f"{part!r}: expected attribute=value, e.g. role=nurse")
        only[name.strip().lower()] = value.strip()
    return only


# --- sending --------------------------------------------------------------------------------------


class MailoutRun:
    """Sends one mailout through one SMTP connection, throttled, counting failures per recipient.

    Outcomes are written in batches together with the progress, so a crash resends at most one
    batch rather than losing track of who was reached.
    """

    def __init__(self, mailout: Mailout):
        self.mailout = mailout
        self.wave = mailout.wave
        self.interval = 1 / settings.UPTAKE_MAIL_RATE if settings.UPTAKE_MAIL_RATE > 0 else 0
        self.connection = get_connection(fail_silently=False)
        self.texts: dict[str, MailText] = {}
        self.delivered: list[int] = []
        self.undelivered: list[int] = []

    def run(self) -> Mailout:
        mailout, now = self.mailout, timezone.now()
        if self.wave.closes_at <= now:
            return self._finish(Mailout.Status.FAILED, "the wave has closed; nothing was sent")
        people = recipients(self.wave, mailout.kind, mailout.only).only("pk", "encrypted_address", "language", "link_seed")
        mailout.total, mailout.status, mailout.started_at = people.count(), Mailout.Status.RUNNING, now
        mailout.save(update_fields=["total", "status", "started_at"])
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            return self._finish(Mailout.Status.FAILED, f"cannot connect to the mail server: {type(exc).__name__}")
        try:
            started = time.monotonic()
            for number, participant in enumerate(people.iterator(chunk_size=500)):
                self._wait_for_slot(started, number)
                self._send_to(participant)
                if (number + 1) % PROGRESS_EVERY == 0:
                    self._record_batch()
        finally:
            self.connection.close()
        return self._finish(Mailout.Status.FINISHED, "")

    def send_one(self, participant: Participant) -> bool:
        """Send this run's kind of mail to one participant now; True if the relay took it."""
        try:
            self.connection.open()
            self._send_to(participant)
        except (smtplib.SMTPException, OSError):
            self.undelivered.append(participant.pk)
        finally:
            self.connection.close()
        delivered = bool(self.delivered)
        self._record_batch()
        return delivered

    def _wait_for_slot(self, started: float, number: int) -> None:
        delay = started + number * self.interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _text(self, language: str) -> MailText:
        if language not in self.texts:
            self.texts[language] = mail_text(self.wave, self.mailout.kind, language)
        return self.texts[language]

    def _send_to(self, participant: Participant) -> None:
        opt_out = opt_out_url(opt_out_token(participant.link_seed))
        values = placeholder_values(self.wave, participant.language, invitation_url(link_token(participant.link_seed)), opt_out)
        text = fill(self._text(participant.language), values)
        message = EmailMessage(
            text.subject, text.body, to=[decrypt_address(participant.encrypted_address)], connection=self.connection,
            headers={"List-Unsubscribe": f"<{opt_out}>", "Auto-Submitted": "auto-generated"},
        )
        try:
            message.send()
        except (smtplib.SMTPException, OSError, ValueError):  # ValueError: an address Django will not send to
            self.undelivered.append(participant.pk)
            self._reconnect_if_dropped()
            return
        self.delivered.append(participant.pk)

    @transaction.atomic
    def _record_batch(self) -> None:
        mailout, people = self.mailout, Participant.objects.filter(wave=self.wave)
        now = timezone.now()
        if mailout.kind == MailKind.INVITATION:
            people.filter(pk__in=self.delivered).update(invited_at=now, invitation_failed=False, last_mailed_at=now)
            people.filter(pk__in=self.undelivered).update(
                invited_at=now, invitation_failed=True, delivery_failures=F("delivery_failures") + 1)
        else:
            people.filter(pk__in=self.delivered).update(reminders_sent=F("reminders_sent") + 1, last_mailed_at=now)
            people.filter(pk__in=self.undelivered).update(delivery_failures=F("delivery_failures") + 1)
        mailout.sent += len(self.delivered)
        mailout.failed += len(self.undelivered)
        if mailout.pk:  # a mail to one person (resend) is no mailout of its own
            Mailout.objects.filter(pk=mailout.pk).update(sent=mailout.sent, failed=mailout.failed)
        self.delivered, self.undelivered = [], []

    def _reconnect_if_dropped(self) -> None:
        try:
            self.connection.connection.noop()
        except (smtplib.SMTPException, OSError, AttributeError):
            self.connection.close()
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError):
                pass  # the next message fails too and is counted

    def _finish(self, status: str, error: str) -> Mailout:
        self._record_batch()
        mailout = self.mailout
        mailout.status, mailout.error, mailout.finished_at = status, error, timezone.now()
        mailout.save(update_fields=["status", "error", "finished_at", "sent", "failed"])
        return mailout


def run_mailout(mailout_id: int) -> Mailout | None:
    """Send a scheduled mailout once; a mailout already started (or finished) is left alone."""
    claimed = Mailout.objects.filter(pk=mailout_id, status=Mailout.Status.SCHEDULED).update(status=Mailout.Status.RUNNING)
    if not claimed:
        return None
    return MailoutRun(Mailout.objects.select_related("wave").get(pk=mailout_id)).run()


# --- what participants and relays tell us ---------------------------------------------------------


def opt_out(token: str) -> bool:
    """No more mail for the participant whose opt-out token this is; their address is deleted now.

    Returns False for a token that belongs to no participant (any more), the survey token included:
    nothing is sent to it either way.
    """
    return _opt_out(Participant.objects.filter(opt_out_hash=hash_token(token)))


def opt_out_on_request(participant: Participant) -> bool:
    """The same as the mail's opt-out link, for someone who asked the study team by phone or mail."""
    return _opt_out(Participant.objects.filter(pk=participant.pk))


def _opt_out(people: QuerySet) -> bool:
    return bool(people.filter(opted_out_at__isnull=True).update(opted_out_at=timezone.now(), encrypted_address=""))


def resend(participant: Participant) -> bool:
    """Mail one participant now: the invitation until it has reached them, a reminder after.

    Returns whether the relay took the mail. Nothing goes to someone who opted out or bounced, or
    after the wave has closed (the caller says so).
    """
    if not may_mail(participant):
        return False
    reached = participant.invited_at is not None and not participant.invitation_failed
    kind = MailKind.REMINDER if reached else MailKind.INVITATION
    return MailoutRun(Mailout(wave=participant.wave, kind=kind)).send_one(participant)


def may_mail(participant: Participant) -> bool:
    return (participant.opted_out_at is None and participant.bounced_at is None and bool(participant.encrypted_address)
            and participant.wave.closes_at > timezone.now())


def mark_bounced(wave: Wave, addresses: list[str]) -> int:
    """Mark the addresses a relay reported as undeliverable; returns how many were on the list."""
    hashes = [address_hash(wave.slug, address) for address in addresses if address.strip()]
    return Participant.objects.filter(wave=wave, address_hash__in=hashes, bounced_at__isnull=True).update(
        bounced_at=timezone.now()
    )


# --- counts and retention -------------------------------------------------------------------------


def sampling_frame_counts(wave: Wave) -> dict[str, int]:
    """The response funnel against the real frame: listed, invited, delivered, opened, started, completed.

    Also failed (delivery failures), bounced and opted_out. After the retention job has deleted the
    addresses these are the counts kept at that moment.
    """
    frame = ParticipantFrame.objects.filter(wave=wave, addresses_deleted_at__isnull=False).first()
    if frame is not None:
        return {name: getattr(frame, name) for name in FRAME_COUNTS}
    return _live_counts(wave)


FRAME_COUNTS = ("listed", "invited", "delivered", "delivery_failures", "bounced", "opted_out", "opened", "started",
                "completed", "not_linkable")


def _live_counts(wave: Wave) -> dict[str, int]:
    people = Participant.objects.filter(wave=wave)
    invited = people.filter(invited_at__isnull=False)
    delivered = invited.filter(invitation_failed=False, bounced_at__isnull=True)
    started = delivered.filter(
        Q(invitation__has_answered=True) | Q(invitation__response__status=Response.Status.IN_PROGRESS)
    )
    return {
        "listed": people.count(),
        "invited": invited.count(),
        "delivered": delivered.count(),
        "delivery_failures": people.aggregate(total=Sum("delivery_failures"))["total"] or 0,
        "bounced": people.filter(bounced_at__isnull=False).count(),
        "opted_out": people.filter(opted_out_at__isnull=False).count(),
        "opened": delivered.filter(invitation__used_at__isnull=False).count(),
        "started": started.count(),
        "completed": delivered.filter(invitation__has_answered=True).count(),
        "not_linkable": people.filter(not_linkable=True).count(),
    }


@transaction.atomic
def delete_addresses(wave: Wave) -> int:
    """Keep the frame's counts, then delete the wave's participant list (addresses, attributes, seeds)."""
    counts = _live_counts(wave)
    ParticipantFrame.objects.update_or_create(wave=wave, defaults={**counts, "addresses_deleted_at": timezone.now()})
    deleted, _by_model = Participant.objects.filter(wave=wave).delete()
    return deleted


def cancel_pending_mailouts(wave: Wave) -> int:
    """Mailouts not yet started (the scheduled reminders) will not be sent; returns how many."""
    return Mailout.objects.filter(wave=wave, status=Mailout.Status.SCHEDULED).update(
        status=Mailout.Status.CANCELLED, finished_at=timezone.now())


def participant_table(wave: Wave) -> QuerySet:
    """The wave's participants, in list order, with what their status is read from."""
    return Participant.objects.filter(wave=wave).select_related("wave", "invitation__response").order_by("pk")


def purge_closed_wave_addresses(now: datetime | None = None) -> dict[str, int]:
    """The retention job: delete the participant lists of every closed wave. Returns slug -> rows deleted."""
    now = now or timezone.now()
    closed = Wave.objects.filter(closes_at__lte=now, participants__isnull=False).distinct()
    return {wave.slug: delete_addresses(wave) for wave in closed}
