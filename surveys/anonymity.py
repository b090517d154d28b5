"""Anonymous waves: at submission the response is cut from the person who gave it.

While a response is in progress its participant key (a keyed hash of the login or invitation)
and its invitation are what let the respondent resume. At submission in an anonymous wave both
are replaced: the participant key by a random value, the invitation link by nothing. What stays
is that this invitation or account *has answered*, and it is stored so that neither row order,
transaction ids nor times pair it with the response (docs/privacy.md, "storage"):

- an invitation's `has_answered` (which reminders use) is set, and its time of first use cleared,
  by one statement that rewrites every invitation of the wave, so all of them carry the same
  transaction id and keep their physical order;
- a signed-in account's answered key joins the wave's one AnsweredSet row, a sorted list.

Duplicate participation is still refused; the response can no longer be found from the person,
not even by an operator holding the database and the key.
"""

import secrets

from django.db.models import Case, F, Value, When

from surveys.models import AnsweredSet, Invitation, Response
from surveys.pseudonyms import keyed_hash


def answered_key(participant_key: str) -> str:
    """The wave-scoped key under which a signed-in account's submission is remembered."""
    return keyed_hash(f"answered:{participant_key}")


def answered_keys(wave) -> list[str]:
    keys = AnsweredSet.objects.filter(wave=wave).values_list("keys", flat=True).first()
    return keys.split() if keys else []


def has_answered(wave, participant) -> bool:
    """Whether this participant already submitted a response that was cut from them."""
    if participant.invitation is not None:
        return Invitation.objects.filter(pk=participant.invitation.pk, has_answered=True).exists()
    return answered_key(participant.key) in answered_keys(wave)


def record_submission(response: Response) -> None:
    """Mark the invitation answered (every wave: reminders skip it); in an anonymous wave, cut the response loose.

    Call inside the transaction that completes the response, before it is saved. In an anonymous
    wave the invitation's time of first use goes too: it would match the response's
    information-viewed time. A researcher's test response is nobody's: nothing is cut or marked.
    """
    if response.is_test:
        return
    if response.wave.is_pseudonymous:
        Invitation.objects.filter(pk=response.invitation_id).update(has_answered=True)
        return
    if response.invitation_id is not None:
        _mark_invitation_answered(response.wave, response.invitation_id)
    else:
        _add_answered_account(response.wave, answered_key(response.participant_key))
    response.participant_key = secrets.token_hex(32)
    response.invitation = None


def _mark_invitation_answered(wave, invitation_id: int) -> None:
    """One UPDATE over all the wave's invitations: the answered one changes, every row gets this transaction's id."""
    Invitation.objects.filter(wave=wave).update(
        has_answered=Case(When(pk=invitation_id, then=Value(True)), default=F("has_answered")),
        used_at=Case(When(pk=invitation_id, then=Value(None)), default=F("used_at")),
    )


def _add_answered_account(wave, key: str) -> None:
    AnsweredSet.objects.bulk_create([AnsweredSet(wave=wave)], ignore_conflicts=True)
    answered = AnsweredSet.objects.select_for_update().get(wave=wave)
    answered.keys = "\n".join(sorted(set(answered.keys.split()) | {key}))
    answered.save(update_fields=["keys"])
