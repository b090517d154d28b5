"""Anonymous waves: at submission the response is cut from the person who gave it.

While a response is in progress its participant key (a keyed hash of the login or invitation)
and its invitation are what let the respondent resume. At submission in an anonymous wave both
are replaced: the participant key by a random value, the invitation link by nothing. What stays
is that this invitation or account *has answered*, on the invitation (`has_answered`, which the
reminders use) or in AnsweredAccount, keyed by a hash without time or order and with no link to
the response. Duplicate participation is still refused; the response can no longer be found
from the person, not even by an operator holding the database and the key (docs/privacy.md).
"""

import secrets

from surveys.models import AnsweredAccount, Invitation, Response
from surveys.pseudonyms import keyed_hash


def answered_key(participant_key: str) -> str:
    """The wave-scoped key under which a signed-in account's submission is remembered."""
    return keyed_hash(f"answered:{participant_key}")


def has_answered(wave, participant) -> bool:
    """Whether this participant already submitted a response that was cut from them."""
    if participant.invitation is not None:
        return Invitation.objects.filter(pk=participant.invitation.pk, has_answered=True).exists()
    return AnsweredAccount.objects.filter(key=answered_key(participant.key), wave=wave).exists()


def record_submission(response: Response) -> None:
    """Mark the invitation answered (every wave: reminders skip it); in an anonymous wave, cut the response loose.

    Call inside the transaction that completes the response, before it is saved. In an anonymous
    wave the invitation's time of first use goes too: it would match the response's
    information-viewed time.
    """
    invitations = Invitation.objects.filter(pk=response.invitation_id)
    if response.invitation_id is not None:
        invitations.update(has_answered=True)
    if response.wave.is_pseudonymous:
        return
    if response.invitation_id is not None:
        invitations.update(used_at=None)
    else:
        AnsweredAccount.objects.get_or_create(key=answered_key(response.participant_key), defaults={"wave": response.wave})
    response.participant_key = secrets.token_hex(32)
    response.invitation = None
