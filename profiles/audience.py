"""The audience rule: who may see content of a given visibility.

Every list, detail view, feed item, media file and WebSocket event of every app asks here,
as a check (:func:`can_see`) or as a queryset filter (:func:`visible_filter`), so the rule
is written once:

============  ===========================  ===========================
visibility    employees                    alumni
============  ===========================  ===========================
company       yes                          never, not even their own
network       yes                          yes
connections   the author and connections   the author and connections
============  ===========================  ===========================

Alumni lose ``company`` content entirely, their own past posts included: what was said
inside the company stays inside it once a person has left, and "their own" is no exception
because a company post often quotes or answers internal discussion.

The viewer's status is read from the database on every request (the profile is loaded per
request, never cached in a token or session), so a changed status takes effect at once.

Writing follows seeing: a person may give their content a visibility they may see from
anyone, or ``connections`` (:func:`writable_visibilities`). An alumnus cannot write
``company`` content, as they could not read it back. Services check it, and the API and the
pages offer the same choices, in the same words (:data:`AUDIENCE_HELP`).
"""

from typing import NamedTuple

from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from profiles.models import Connection, Profile, ProfileStatus, Visibility
from socialblue.errors import Invalid

# Who sees content of each visibility, as every form and the API describe it to its author
# (the label is the choice's own, ``Visibility.label``).
AUDIENCE_HELP = {
    Visibility.COMPANY: _("Everyone who works at the company"),
    Visibility.NETWORK: _("Employees and alumni"),
    Visibility.CONNECTIONS: _("Only your connections"),
}
UNKNOWN_VISIBILITY = _("Visibility is company, network or connections.")
NOT_WRITABLE = _("Alumni share with their network or their connections.")


def _visibility_field_help() -> str:
    audiences = "; ".join(f"`{value}`: {text}" for value, text in AUDIENCE_HELP.items())
    return _("Who can see it (%(audiences)s).") % {"audiences": audiences}


# The API's description of a ``visibility`` field, in the words of the pages.
VISIBILITY_FIELD_HELP = lazy(_visibility_field_help, str)()


def visibilities_for(viewer: Profile | None) -> list[str]:
    """The visibilities the viewer may see from anyone (``connections`` needs a tie)."""
    if viewer is None:
        return []
    return status_visibilities(viewer.status)


def status_visibilities(status: str) -> list[str]:
    """The visibilities a person of this employment status may see from anyone."""
    if status == ProfileStatus.EMPLOYEE:
        return [Visibility.COMPANY, Visibility.NETWORK]
    return [Visibility.NETWORK]


def writable_visibilities(author: Profile) -> list[str]:
    """The visibilities ``author`` may give their own content, widest first: what they may see
    from anyone, and always their connections."""
    allowed = {*visibilities_for(author), Visibility.CONNECTIONS}
    return [value for value in Visibility.values if value in allowed]


def default_visibility(author: Profile) -> str:
    """Employees share inside the company by default; alumni with their network."""
    return Visibility.COMPANY if Visibility.COMPANY in writable_visibilities(author) else Visibility.NETWORK


class VisibilityChoice(NamedTuple):
    value: str
    label: str
    help: str


def visibility_choices(author: Profile) -> list[VisibilityChoice]:
    """What a form offers ``author`` to choose from, worded as everywhere else."""
    labels = dict(Visibility.choices)
    return [VisibilityChoice(v, labels[v], AUDIENCE_HELP[v]) for v in writable_visibilities(author)]


def visibility_check(author: Profile, visibility: str) -> str:
    """``visibility`` if ``author`` may write it; :class:`Invalid` on the ``visibility`` field
    otherwise, with the same words whatever is written (a post, an album) and wherever."""
    if visibility not in Visibility.values:
        raise Invalid({"visibility": [str(UNKNOWN_VISIBILITY)]})
    if visibility not in writable_visibilities(author):
        # The only visibility the table withholds from a writer is company content from an
        # alumnus (see the module's docstring).
        raise Invalid({"visibility": [str(NOT_WRITABLE)]})
    return visibility


def access_narrows(old_status: str, new_status: str) -> bool:
    """Does a person going from ``old_status`` to ``new_status`` lose sight of anything?

    Then every credential they hold (a token, a session, a socket) was issued for more than
    they may see now, and is closed (``profiles.signals.access_changed``)."""
    return not set(status_visibilities(old_status)) <= set(status_visibilities(new_status))


def audience_within(visibility: str, within: str) -> bool:
    """Does everyone who may see an author's content of ``visibility`` also see that same
    author's content of ``within``? (A post's photos are shown to those who may see their
    album: a post may carry only photos whose album reaches at least the post's audience.)

    The rule's own terms, per kind of viewer: each employment status, tied to the author
    (the author, or a connection) or not; ``connections`` reaches exactly the tied ones."""
    for status in ProfileStatus.values:
        for tied in (False, True):
            sees = {*status_visibilities(status), *([Visibility.CONNECTIONS] if tied else [])}
            if visibility in sees and within not in sees:
                return False
    return True


def is_connected(a_id: int, b_id: int) -> bool:
    return Connection.objects.filter(profile_id=a_id, other_id=b_id).exists()


def can_see(viewer: Profile | None, *, author_id: int, visibility: str) -> bool:
    """May ``viewer`` see content by ``author_id`` with ``visibility``?"""
    if viewer is None:
        return False
    if visibility in visibilities_for(viewer):
        return True
    if visibility == Visibility.CONNECTIONS:
        return author_id == viewer.pk or is_connected(viewer.pk, author_id)
    return False


def visible_filter(
    viewer: Profile | None, *, author_field: str = "author", visibility_field: str = "visibility"
) -> Q:
    """The same rule as :func:`can_see`, as a filter for a queryset of content.

    ``author_field`` names the content's author foreign key and ``visibility_field`` its
    visibility, so any model (posts, albums, activities) can be filtered.
    """
    if viewer is None:
        return Q(pk__in=[])
    connected = Connection.objects.filter(profile_id=viewer.pk).values("other_id")
    return Q(**{f"{visibility_field}__in": visibilities_for(viewer)}) | (
        Q(**{visibility_field: Visibility.CONNECTIONS})
        & (Q(**{f"{author_field}_id": viewer.pk}) | Q(**{f"{author_field}_id__in": connected}))
    )


def audience_filter(*, author_id: int, visibility: str, viewer_field: str = "") -> Q:
    """The same rule the other way round: which people may see content by ``author_id`` with
    ``visibility``, as a filter over profiles (``viewer_field`` prefixes the lookups when
    the profile is reached through a relation, e.g. ``"follower"`` on follows)."""
    prefix = f"{viewer_field}__" if viewer_field else ""
    if visibility == Visibility.COMPANY:
        return Q(**{f"{prefix}status": ProfileStatus.EMPLOYEE})
    if visibility == Visibility.NETWORK:
        return Q(**{f"{prefix}status__in": ProfileStatus.values})
    if visibility == Visibility.CONNECTIONS:
        connected = Connection.objects.filter(profile_id=author_id).values("other_id")
        return Q(**{f"{prefix}pk": author_id}) | Q(**{f"{prefix}pk__in": connected})
    return Q(pk__in=[])


def sees_internal_fields(viewer: Profile | None) -> bool:
    """Department, manager, office, work email and phone are for employees only."""
    return viewer is not None and viewer.status == ProfileStatus.EMPLOYEE


def is_hr(user) -> bool:
    """HR officers (and admins) may offboard and rehire people."""
    return bool(user and user.is_authenticated and user.has_perm("profiles.manage_employment"))
