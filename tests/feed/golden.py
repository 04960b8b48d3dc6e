"""The golden corpus of the feed page, and the two ways of looking at a feed the golden tests
compare: the page ``GET /api/v1/feed/`` serves, and the page today's renderer makes of the same
feed (``feed.rendering.render_items`` over ``feed.selectors.feed_home_page``), which the web
pages keep using. Whatever the API assembles its page from, the two must be the same JSON.

The cast, by how they stand to Ana (the audience table of DESIGN.md, ``tests/audience.py``):

* Ana Silva (``author``) — an engineer who posts, shares albums of every audience, has an
  avatar.
* Marco Rossi (``employee connection``) — her manager, connected with her; he posts too.
* Priya Nair (``employee stranger``) — a designer who follows Ana without being connected.
* Olu Adeyemi (``alumnus connection``) — connected with Ana while they worked together; he
  posted to the company, then left (his ``left_company`` item).
* Tomás Reyes (``alumnus stranger``) — an alumnus who follows Ana.
* Lena Fischer — left a year ago and has just come back (her ``rejoined_company`` item); Ana
  and Priya follow her.

Everything is written through the services, as the API and the web pages write it; what a
commit would trigger (photo processing, fan-out, the ``connected`` items) runs when each step's
``committed()`` block ends.
"""

import datetime as dt
import json
from dataclasses import dataclass

import redis
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient, APIRequestFactory

from alumni.services import alumnus_offboard, alumnus_rehire, employment_start
from feed import services as feed_services
from feed.models import Post
from feed.rendering import render_items
from feed.selectors import feed_home_page
from photos import services as photo_services
from photos.models import Album, Photo
from profiles import services as graph
from profiles.models import DeviceToken, Profile, ProfileStatus
from tests.conftest import REAL_REDIS_URL
from tests.factories import DepartmentFactory, make_person
from tests.feed.stories import FEED, active, connect
from tests.images import image_bytes, upload

# Every viewer the golden pages are compared for, by how they stand to Ana.
VIEWERS = ("author", "employee connection", "employee stranger", "alumnus connection", "alumnus stranger")
ALL_OF_IT = 100  # the largest page the API serves; the corpus fits in one


@dataclass
class Corpus:
    people: dict[str, Profile]
    posts: dict[str, Post]
    albums: dict[str, Album]
    photos: dict[str, Photo]

    def person(self, role: str) -> Profile:
        """The person as the database has them now (a story may have changed them)."""
        return Profile.objects.select_related("user").get(pk=self.people[role].pk)

    @property
    def viewers(self) -> list[Profile]:
        return [self.person(role) for role in VIEWERS]

    def post(self, name: str) -> Post:
        return Post.objects.get(pk=self.posts[name].pk)


def _photo(committed, album: Album, *, colour: tuple[int, int, int], caption: str, alt: str) -> Photo:
    with committed():
        [photo] = photo_services.photos_upload(
            album=album, by=album.owner, files=[upload(image_bytes(color=colour, size=(96, 64)))]
        )
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY, photo.error
    return photo_services.photo_update(photo=photo, by=album.owner, caption=caption, alt_text=alt)


def build_corpus(committed) -> Corpus:
    """Ana's company, with an item of every kind the feed shows (call with Celery tasks
    inline and a scratch MEDIA_ROOT)."""
    platform = DepartmentFactory(name="Platform", slug="platform")
    marketing = DepartmentFactory(name="Marketing", slug="marketing")
    marco = make_person("marco", display_name="Marco Rossi", department=platform)
    ana = make_person("ana", display_name="Ana Silva", department=platform, manager=marco)
    priya = make_person("priya", display_name="Priya Nair", department=marketing)
    olu = make_person("olu", display_name="Olu Adeyemi", department=platform)
    tomas = make_person("tomas", display_name="Tomás Reyes", status=ProfileStatus.ALUMNUS)
    lena = make_person("lena", display_name="Lena Fischer", department=marketing)
    people = {
        "author": ana,
        "employee connection": marco,
        "employee stranger": priya,
        "alumnus connection": olu,
        "alumnus stranger": tomas,
        "returner": lena,
    }
    active(*people.values())
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    for person, department in ((marco, platform), (ana, platform), (olu, platform), (lena, marketing)):
        employment_start(profile=person, start=year_ago - dt.timedelta(days=700), department=department)
    with committed():
        graph.profile_set_avatar(profile=ana, upload=upload(image_bytes(size=(64, 64), color=(200, 90, 40))))

    # Lena left a year ago and came back this week: "Lena rejoined the company".
    with committed():
        alumnus_offboard(profile=lena, leave_date=year_ago, personal_email="lena@home.example")
    with committed():
        alumnus_rehire(profile=Profile.objects.get(pk=lena.pk), department=marketing)
    # Who stands where: "Marco connected with Ana", "Ana connected with Olu", and followers.
    with committed():
        connect(ana, marco)
        connect(olu, ana)
        for person in (priya, tomas):
            graph.follow(follower=person, followee=ana)
        for person in (ana, priya):
            graph.follow(follower=person, followee=lena)

    # Olu wrote to the company while he worked here.
    posts: dict[str, Post] = {}
    with committed():
        posts["olu's company post"] = feed_services.post_create(
            author=olu, body="Shipping the storage migration today.", visibility="company"
        )

    # Ana's albums, one of each audience and a second network one; each upload is an
    # "added photos" item of its album's audience.
    albums, photos = {}, {}
    for name, title, visibility in (
        ("roadmap", "Quarterly roadmap", "company"),
        ("offsite", "Team offsite", "network"),
        ("hackathon", "Hackathon", "network"),
        ("family", "Family barbecue", "connections"),
    ):
        albums[name] = photo_services.album_create(owner=ana, title=title, visibility=visibility)
    photos["roadmap"] = _photo(
        committed, albums["roadmap"], colour=(10, 10, 200), caption="Q3 plan", alt="A slide"
    )
    photos["offsite 1"] = _photo(
        committed, albums["offsite"], colour=(10, 200, 10), caption="The lake", alt="Lake at dawn"
    )
    photos["offsite 2"] = _photo(
        committed, albums["offsite"], colour=(20, 180, 30), caption="Dinner", alt="A long table"
    )
    photos["hackathon"] = _photo(
        committed, albums["hackathon"], colour=(200, 10, 10), caption="Demo time", alt="A stage"
    )
    photos["family"] = _photo(
        committed, albums["family"], colour=(200, 200, 10), caption="Grill", alt="Smoke and sausages"
    )

    with committed():
        posts["mentions and links"] = feed_services.post_create(
            author=ana,
            body="Welcome @priya and @marco! Notes: https://example.com/notes?a=1&b=2 <b>not bold</b>\n"
            "Mail me at ana@company.example.",
            visibility="network",
        )
        posts["company, photos"] = feed_services.post_create(
            author=ana,
            body="The plan for Q3, and the offsite where we made it.",
            visibility="company",
            attachments={"photos": [photos["roadmap"].pk, photos["offsite 2"].pk]},
            descriptions={"photos": {photos["roadmap"].pk: "The Q3 slide"}},
        )
        posts["network, photos"] = feed_services.post_create(
            author=ana,
            body="Offsite and hackathon, in two pictures.",
            visibility="network",
            attachments={"photos": [photos["offsite 1"].pk, photos["hackathon"].pk]},
        )
        posts["connections, photos"] = feed_services.post_create(
            author=ana,
            body="Only for my connections: the barbecue after the offsite.",
            visibility="connections",
            attachments={"photos": [photos["family"].pk, photos["offsite 1"].pk]},
        )
        posts["company"] = feed_services.post_create(
            author=ana, body="All-hands at 15:00 in the atrium.", visibility="company"
        )
        posts["edited"] = feed_services.post_create(
            author=ana, body="Standup moved to 10:00.", visibility="network"
        )
        posts["deleted"] = feed_services.post_create(author=ana, body="Oops, wrong channel.")
        posts["marco's"] = feed_services.post_create(
            author=marco, body="Thanks @ana for the review.", visibility="company"
        )
    with committed():
        feed_services.post_update(
            post=posts["edited"], by=ana, body="Standup moved to 10:30, see https://example.com/standup"
        )
        feed_services.post_delete(post=posts["deleted"], by=ana)
    # The hackathon album is kept for colleagues now: alumni see the network post with one
    # photo fewer, and no longer its "added photos" item.
    with committed():
        photo_services.album_update(album=albums["hackathon"], by=ana, visibility="company")

    # Comments and reactions (counts), and each viewer's own reaction on some posts.
    with committed():
        feed_services.comment_create(post=posts["mentions and links"], author=marco, body="Welcome!")
        feed_services.comment_create(post=posts["mentions and links"], author=olu, body="Hello from afar")
        feed_services.comment_create(post=posts["company, photos"], author=priya, body="Ambitious.")
        for name, person in (
            ("mentions and links", marco),
            ("mentions and links", olu),
            ("mentions and links", tomas),
            ("company, photos", marco),
            ("network, photos", priya),
            ("connections, photos", ana),
            ("olu's company post", ana),
        ):
            feed_services.reaction_set(post=posts[name], person=person)

    # Then Olu left: "Olu left the company", for his connections.
    with committed():
        alumnus_offboard(profile=olu, leave_date=timezone.localdate(), personal_email="olu@home.example")
    return Corpus(people=people, posts=posts, albums=albums, photos=photos)


# --- Looking at a feed ----------------------------------------------------------------------


def client_of(person: Profile) -> APIClient:
    """The person's phone: an API client with a device token of theirs (issued now, so a
    person whose sign-ins were revoked signs in again)."""
    token = DeviceToken.objects.create(user=person.user, device="phone")[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def api_page(person: Profile, url: str = FEED, **params) -> dict:
    """One page of the person's feed as the API serves it, parsed."""
    response = client_of(person).get(url, params or None)
    assert response.status_code == 200, response.content
    return response.json()


def as_served(data) -> dict:
    """``data`` as the API's JSON renderer writes it, parsed again."""
    return json.loads(JSONRenderer().render(data))


def todays_page(person: Profile, *, cursor: int | None = None, limit: int = ALL_OF_IT) -> dict:
    """The page today's renderer makes of the person's feed, for a request to this test
    server, with ``next`` as the API builds it."""
    params = {"limit": limit} if cursor is None else {"limit": limit, "cursor": cursor}
    request = APIRequestFactory().get(FEED, params)
    page = feed_home_page(viewer=person, cursor=cursor, limit=limit)
    items = render_items(page.items, viewer=person, request=request)
    next_url = None
    if page.next_cursor:
        next_url = f"http://testserver{FEED}?cursor={page.next_cursor}&limit={limit}"
    return as_served({"results": items, "next": next_url})


def canonical(data) -> str:
    """JSON text that tells apart what Python's ``==`` does not (``1``, ``1.0`` and ``true``)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def assert_same_json(served, expected, *, who: str = "") -> None:
    assert served == expected, who
    assert canonical(served) == canonical(expected), who


def forget_every_cached_render() -> None:
    """Redis loses everything (a restart without persistence): every cached render, every
    timeline. Only the test's own Redis database is emptied."""
    client = redis.Redis.from_url(REAL_REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def items_of(page: dict, verb: str | None = None) -> list[dict]:
    return [item for item in page["results"] if verb is None or item["verb"] == verb]


def post_item(page: dict, post: Post) -> dict | None:
    """The ``posted`` item of ``post`` on the page (None: not there)."""
    found = [i for i in page["results"] if i["object"]["type"] == "post" and i["object"]["id"] == post.pk]
    assert len(found) <= 1, found
    return found[0] if found else None
