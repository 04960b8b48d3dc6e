"""Every write to people and the graph. Views, admin actions, commands and other apps call
these; nothing else writes these models."""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles import signals
from profiles.models import (
    Connection,
    ConnectionRequest,
    Follow,
    Office,
    Profile,
    Skill,
    skill_slug,
)
from socialblue.errors import Conflict, Forbidden, Invalid
from socialblue.images import check_image, square_thumbnail

MAX_SKILLS = 30


def _send_on_commit(signal, **kwargs) -> None:
    # robust: the graph change is committed; a failing receiver (the broker away) must not
    # turn it into an error for the person who made it.
    transaction.on_commit(lambda: signal.send(sender=Profile, **kwargs), robust=True)


# --- Profiles -------------------------------------------------------------------------------


def profile_ensure(*, user) -> Profile:
    """The user's profile, created if missing (every user has one, however created)."""
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={"display_name": user.get_full_name() or user.username},
    )
    if _created:
        profile.refresh_search_text()
    return profile


def skills_resolve(names: Iterable[str]) -> list[Skill]:
    """Skills by name, created on first use; names with the same :func:`skill_slug` ("Node.js"
    and "node js") are one skill, named as it was first written."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())[:60]
        slug = skill_slug(name)
        if slug and slug not in wanted:
            wanted[slug] = name
    if len(wanted) > MAX_SKILLS:
        raise Invalid({"skills": [_("At most %(n)d skills.") % {"n": MAX_SKILLS}]})
    existing = {s.slug: s for s in Skill.objects.filter(slug__in=wanted)}
    missing = [Skill(slug=slug, name=name) for slug, name in wanted.items() if slug not in existing]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.slug: s for s in Skill.objects.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted]


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    display_name: str | None = None,
    headline: str | None = None,
    bio: str | None = None,
    pronouns: str | None = None,
    location: str | None = None,
    skills: list[str] | None = None,
    office_slug: str | None = None,
) -> Profile:
    """Change what a person may change about themselves."""
    fields = {
        "display_name": display_name,
        "headline": headline,
        "bio": bio,
        "pronouns": pronouns,
        "location": location,
    }
    for name, value in fields.items():
        if value is not None:
            setattr(profile, name, value.strip())
    if not profile.display_name:
        raise Invalid({"display_name": [_("A display name cannot be blank.")]})
    if office_slug is not None:
        if office_slug == "":
            profile.office = None
        else:
            office = Office.objects.filter(slug=office_slug).first()
            if office is None:
                raise Invalid({"office": [_("No office is called '%(s)s'.") % {"s": office_slug}]})
            profile.office = office
    profile.save()
    if skills is not None:
        profile.skills.set(skills_resolve(skills))
    profile.refresh_search_text()
    return profile


def profile_set_avatar(*, profile: Profile, upload) -> Profile:
    """Check an uploaded image by content and store it as a small, clean square.

    Raises ImageRejected (400/413/415) before anything is stored. The previous avatar file
    is deleted once the new one is committed.
    """
    checked = check_image(upload, max_bytes=settings.AVATAR_MAX_BYTES, max_pixels=settings.AVATAR_MAX_PIXELS)
    data = square_thumbnail(upload, checked, size=settings.AVATAR_SIZE)
    old = profile.avatar.name if profile.avatar else ""
    with transaction.atomic():
        profile.avatar.save(f"{uuid.uuid4().hex}.webp", ContentFile(data), save=False)
        new = profile.avatar.name
        Profile.objects.filter(pk=profile.pk).update(avatar=new)
        transaction.on_commit(lambda: _delete_file(profile.avatar.storage, old))
    return profile


def profile_remove_avatar(*, profile: Profile) -> Profile:
    old = profile.avatar.name if profile.avatar else ""
    with transaction.atomic():
        profile.avatar = ""
        Profile.objects.filter(pk=profile.pk).update(avatar="")
        transaction.on_commit(lambda: _delete_file(profile.avatar.storage, old))
    return profile


def _delete_file(storage, name: str) -> None:
    if name:
        storage.delete(name)


def profile_touch(*, profile: Profile) -> None:
    """Record that the person is active now, at most once per LAST_ACTIVE_RESOLUTION_SECONDS."""
    now = timezone.now()
    resolution = settings.LAST_ACTIVE_RESOLUTION_SECONDS
    if profile.last_active_at and (now - profile.last_active_at).total_seconds() < resolution:
        return
    profile.last_active_at = now
    Profile.objects.filter(pk=profile.pk).update(last_active_at=now)


# --- Follows --------------------------------------------------------------------------------


def follow(*, follower: Profile, followee: Profile) -> bool:
    """``follower`` follows ``followee``. Idempotent; returns True if this call created it."""
    if follower.pk == followee.pk:
        raise Invalid({"detail": _("You cannot follow yourself.")})
    try:
        with transaction.atomic():
            _obj, created = Follow.objects.get_or_create(follower=follower, followee=followee)
            if created:
                Profile.objects.filter(pk=follower.pk).update(following_count=F("following_count") + 1)
                Profile.objects.filter(pk=followee.pk).update(follower_count=F("follower_count") + 1)
                _send_on_commit(signals.followed, follower_id=follower.pk, followee_id=followee.pk)
    except IntegrityError:
        # A concurrent call created it first: the result is the same.
        return False
    return created


def unfollow(*, follower: Profile, followee: Profile) -> bool:
    """``follower`` stops following ``followee``. Idempotent; returns True if one was removed.

    People who are connected follow each other; unfollowing keeps the connection (one may
    mute a colleague's updates and still be connected)."""
    with transaction.atomic():
        deleted, _by_model = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            Profile.objects.filter(pk=follower.pk).update(following_count=F("following_count") - 1)
            Profile.objects.filter(pk=followee.pk).update(follower_count=F("follower_count") - 1)
            _send_on_commit(signals.unfollowed, follower_id=follower.pk, followee_id=followee.pk)
    return bool(deleted)


# --- Connections ----------------------------------------------------------------------------


def _connect(a: Profile, b: Profile) -> None:
    """Store the two rows of a connection and the follows it implies (inside a transaction)."""
    if Connection.objects.filter(profile=a, other=b).exists():
        return
    Connection.objects.bulk_create([Connection(profile=a, other=b), Connection(profile=b, other=a)])
    Profile.objects.filter(pk__in=[a.pk, b.pk]).update(connection_count=F("connection_count") + 1)
    follow(follower=a, followee=b)
    follow(follower=b, followee=a)
    _send_on_commit(signals.connected, profile_ids=(a.pk, b.pk))


def connection_request_send(
    *, sender: Profile, receiver: Profile, message: str = ""
) -> tuple[ConnectionRequest, bool]:
    """Ask ``receiver`` to connect. Returns the request and whether it is new.

    If ``receiver`` has already asked ``sender``, that request is accepted instead and the
    two are connected. Asking again while a request is pending returns the pending one.
    """
    if sender.pk == receiver.pk:
        raise Invalid({"username": [_("You cannot connect with yourself.")]})
    with transaction.atomic():
        # Lock both profiles in a fixed order so that two crossing requests serialise.
        list(Profile.objects.select_for_update().filter(pk__in=[sender.pk, receiver.pk]).order_by("pk"))
        if Connection.objects.filter(profile=sender, other=receiver).exists():
            raise Conflict(_("You are already connected with @%(u)s.") % {"u": receiver.username})
        reverse = ConnectionRequest.objects.filter(
            sender=receiver, receiver=sender, status=ConnectionRequest.Status.PENDING
        ).first()
        if reverse is not None:
            connection_request_accept(request=reverse, by=sender)
            return reverse, True
        pending = ConnectionRequest.objects.filter(
            sender=sender, receiver=receiver, status=ConnectionRequest.Status.PENDING
        ).first()
        if pending is not None:
            return pending, False
        request = ConnectionRequest.objects.create(sender=sender, receiver=receiver, message=message)
        _send_on_commit(
            signals.connection_requested, request_id=request.pk, sender_id=sender.pk, receiver_id=receiver.pk
        )
        return request, True


def _respond(
    request: ConnectionRequest, *, by_id: int, party: str, status: str, verb: str
) -> tuple[ConnectionRequest, bool]:
    """Move a pending request to ``status`` on behalf of its ``party`` ("sender" or
    "receiver"). Returns the request and whether this call changed it; asking twice is the
    same as asking once. Call inside a transaction."""
    if by_id != getattr(request, f"{party}_id"):
        raise Forbidden(
            _("Only the person who %(p)s a request may %(v)s it.")
            % {
                "p": "received" if party == "receiver" else "sent",
                "v": verb,
            }
        )
    request = ConnectionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == status:
        return request, False
    if request.status != ConnectionRequest.Status.PENDING:
        raise Conflict(
            _("This request was %(s)s and can no longer be %(v)s.") % {"s": request.status, "v": status}
        )
    request.status = status
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    return request, True


@transaction.atomic
def connection_request_accept(*, request: ConnectionRequest, by: Profile) -> ConnectionRequest:
    """The receiver accepts: the two are connected and follow each other. Idempotent."""
    request, changed = _respond(
        request, by_id=by.pk, party="receiver", status=ConnectionRequest.Status.ACCEPTED, verb="accept"
    )
    if changed:
        _connect(request.sender, request.receiver)
        _send_on_commit(
            signals.connection_accepted,
            request_id=request.pk,
            sender_id=request.sender_id,
            receiver_id=request.receiver_id,
        )
    return request


@transaction.atomic
def connection_request_decline(*, request: ConnectionRequest, by: Profile) -> ConnectionRequest:
    """The receiver declines. Idempotent."""
    return _respond(
        request, by_id=by.pk, party="receiver", status=ConnectionRequest.Status.DECLINED, verb="decline"
    )[0]


@transaction.atomic
def connection_request_withdraw(*, request: ConnectionRequest, by: Profile) -> ConnectionRequest:
    """The sender takes a pending request back. Idempotent."""
    return _respond(
        request, by_id=by.pk, party="sender", status=ConnectionRequest.Status.WITHDRAWN, verb="withdraw"
    )[0]


def connection_remove(*, profile: Profile, other: Profile) -> bool:
    """End a connection from either side, with the follows it implied. Idempotent."""
    with transaction.atomic():
        deleted, _by_model = Connection.objects.filter(
            profile__in=[profile, other], other__in=[profile, other]
        ).delete()
        if not deleted:
            return False
        Profile.objects.filter(pk__in=[profile.pk, other.pk]).update(
            connection_count=F("connection_count") - 1
        )
        unfollow(follower=profile, followee=other)
        unfollow(follower=other, followee=profile)
        _send_on_commit(signals.disconnected, profile_ids=(profile.pk, other.pk))
    return True
