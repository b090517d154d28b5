"""Who may do what in a study: the one place every workspace view, export and download asks."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from studies.models import Membership, Study

RANK = {Membership.Role.VIEWER: 1, Membership.Role.ANALYST: 2, Membership.Role.OWNER: 3}


def role_in(user, study: Study) -> str | None:
    """The user's role in the study, or None."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(study=study, user=user).only("role").first()
    return membership.role if membership else None


def require_study_role(user, study: Study, minimum: str) -> str:
    """The user's role if it is at least `minimum`; 404 for outsiders (a study's existence is not disclosed)."""
    role = role_in(user, study)
    if role is None:
        raise Http404("no such study")
    if RANK[role] < RANK[minimum]:
        raise PermissionDenied(f"this needs the {minimum} role in the study")
    return role
