"""Reads of people and the graph. Every list is built on :func:`profile_queryset`, so no
list ever issues a query per row."""

from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import Prefetch, Q, QuerySet

from profiles.audience import can_see, sees_internal_fields
from profiles.models import (
    Connection,
    ConnectionRequest,
    Department,
    Follow,
    Office,
    Profile,
    ProfileStatus,
    Skill,
    Visibility,
    skill_slug,
)
from socialblue.errors import Invalid, NotFound

MAX_QUERY_TERMS = 8


def profile_queryset() -> QuerySet[Profile]:
    """The one base queryset for profiles, with everything a profile card shows."""
    return Profile.objects.select_related("user", "department", "office", "manager__user").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("name"))
    )


def profile_get(*, username: str) -> Profile:
    """The profile of ``username`` (any authenticated person may see that a colleague or an
    alumnus exists; what the profile shows is decided by the serializer and the audience)."""
    profile = profile_queryset().filter(user__username=username, user__is_active=True).first()
    if profile is None:
        raise NotFound("No such person.")
    return profile


def profile_of(user) -> Profile | None:
    """The profile of a signed-in user, read fresh from the database on every request (one
    query: what every request needs is the status; cards load the rest)."""
    if user is None or not user.is_authenticated:
        return None
    return Profile.objects.select_related("user").filter(user=user).first()


def profile_search(
    *,
    viewer: Profile,
    q: str = "",
    department: str = "",
    location: str = "",
    skill: str = "",
    status: str = "",
) -> QuerySet[Profile]:
    """The directory: people matching every word of ``q`` in their name, username, title or
    skills, optionally in a department (with its sub-departments), an office, with a skill,
    or of a status.

    Department and office are internal: only employees may filter by them.
    """
    qs = profile_queryset().filter(user__is_active=True)
    errors: dict[str, list[str]] = {}
    if (department or location) and not sees_internal_fields(viewer):
        raise Invalid({"detail": "Filtering by department or office is available to employees only."})
    if department:
        dept = Department.objects.filter(slug=department).first()
        if dept is None:
            errors["department"] = [f"No department is called '{department}'."]
        else:
            qs = qs.filter(department__path__startswith=dept.path)
    if location:
        office = Office.objects.filter(slug=location).first()
        if office is None:
            errors["location"] = [f"No office is called '{location}'."]
        else:
            qs = qs.filter(office=office)
    if skill:
        qs = qs.filter(skills__slug=skill_slug(skill))
    if status:
        if status not in ProfileStatus.values:
            errors["status"] = [f"Status is one of: {', '.join(ProfileStatus.values)}."]
        qs = qs.filter(status=status)
    if errors:
        raise Invalid(errors)
    terms = [t for t in q.lower().split() if t][:MAX_QUERY_TERMS]
    for term in terms:
        # On PostgreSQL this is served by the trigram index on UPPER(search_text).
        qs = qs.filter(search_text__icontains=term)
    if terms and db_connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        qs = qs.annotate(rank=TrigramWordSimilarity(" ".join(terms), "search_text")).order_by(
            "-rank", "display_name", "pk"
        )
    else:
        qs = qs.order_by("display_name", "pk")
    return qs


def followers_of(*, profile: Profile) -> QuerySet[Profile]:
    return profile_queryset().filter(following_set__followee=profile).order_by("display_name", "pk")


def following_of(*, profile: Profile) -> QuerySet[Profile]:
    return profile_queryset().filter(follower_set__follower=profile).order_by("display_name", "pk")


def connections_of(*, profile: Profile) -> QuerySet[Profile]:
    connected = Connection.objects.filter(profile=profile).values("other_id")
    return profile_queryset().filter(pk__in=connected).order_by("display_name", "pk")


def sees_connections_of(*, viewer: Profile | None, person: Profile) -> bool:
    """May ``viewer`` see the list of ``person``'s connections?

    A person's connections are content of visibility ``connections`` written by that person:
    the person and their connections see the list, nobody else (how many they are is on every
    profile card). The list says whom someone trusts; to a stranger, or to an alumnus who never
    connected, it is a map of the company's people and who vouches for whom. The web profile and
    the API both ask here, so they always agree."""
    return can_see(viewer, author_id=person.pk, visibility=Visibility.CONNECTIONS)


def connections_seen_by(*, viewer: Profile, person: Profile) -> QuerySet[Profile]:
    """``person``'s connections, if ``viewer`` may see them (:func:`sees_connections_of`);
    otherwise the same 404 as a missing person."""
    if not sees_connections_of(viewer=viewer, person=person):
        raise NotFound("No such person.")
    return connections_of(profile=person)


def connection_requests(*, profile: Profile, box: str) -> QuerySet[ConnectionRequest]:
    """Pending requests to (``incoming``) or from (``outgoing``) ``profile``, newest first."""
    if box not in ("incoming", "outgoing"):
        raise Invalid({"box": ["Box is 'incoming' or 'outgoing'."]})
    qs = ConnectionRequest.objects.filter(status=ConnectionRequest.Status.PENDING).select_related(
        "sender__user", "receiver__user"
    )
    return qs.filter(receiver=profile) if box == "incoming" else qs.filter(sender=profile)


def connection_request_get(*, viewer: Profile, request_id: int) -> ConnectionRequest:
    """A request that ``viewer`` sent or received; anyone else gets the same 404."""
    request = (
        ConnectionRequest.objects.select_related("sender__user", "receiver__user")
        .filter(Q(sender=viewer) | Q(receiver=viewer), pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound("No such connection request.")
    return request


# How the viewer stands to another person; a profile seen by its owner is "self".
CONNECTION_STATES = ["connected", "request_sent", "request_received", "none"]
PROFILE_CONNECTION_STATES = ["self", *CONNECTION_STATES]


@dataclass(frozen=True)
class Relations:
    """How the viewer stands to a set of profiles, loaded in three queries whatever the size."""

    following: frozenset[int]
    connected: frozenset[int]
    sent: dict[int, int]  # profile id -> pending request id, viewer sent
    received: dict[int, int]  # profile id -> pending request id, viewer received

    def connection_state(self, profile_id: int) -> str:
        if profile_id in self.connected:
            return "connected"
        if profile_id in self.sent:
            return "request_sent"
        if profile_id in self.received:
            return "request_received"
        return "none"

    def request_id(self, profile_id: int) -> int | None:
        return self.sent.get(profile_id) or self.received.get(profile_id)


def relations_to(*, viewer: Profile | None, profile_ids: list[int]) -> Relations:
    if viewer is None or not profile_ids:
        return Relations(frozenset(), frozenset(), {}, {})
    following = Follow.objects.filter(follower=viewer, followee_id__in=profile_ids).values_list(
        "followee_id", flat=True
    )
    connected = Connection.objects.filter(profile=viewer, other_id__in=profile_ids).values_list(
        "other_id", flat=True
    )
    pending = ConnectionRequest.objects.filter(
        Q(sender=viewer, receiver_id__in=profile_ids) | Q(receiver=viewer, sender_id__in=profile_ids),
        status=ConnectionRequest.Status.PENDING,
    ).values_list("id", "sender_id", "receiver_id")
    sent: dict[int, int] = {}
    received: dict[int, int] = {}
    for request_id, sender_id, receiver_id in pending:
        if sender_id == viewer.pk:
            sent[receiver_id] = request_id
        else:
            received[sender_id] = request_id
    return Relations(frozenset(following), frozenset(connected), sent, received)


def departments() -> QuerySet[Department]:
    return Department.objects.all()


def offices() -> QuerySet[Office]:
    return Office.objects.all()
