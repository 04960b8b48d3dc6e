"""The audience rule, as a check and as a queryset filter, for every visibility and viewer;
and its other side, who may write which visibility, offered and refused alike by the API,
the composer and the album form."""

import html
import re

import pytest
from django.db.models import F, Value
from django.test import Client
from rest_framework.test import APIClient

from feed.models import Post
from photos.models import Album
from profiles.audience import audience_filter, can_see, visible_filter, writable_visibilities
from profiles.models import Profile, ProfileStatus
from profiles.services import connection_request_accept, connection_request_send
from tests.audience import SEES
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def connect(a, b):
    request, _ = connection_request_send(sender=a, receiver=b)
    connection_request_accept(request=request, by=b)


def seen_through_filter(viewer, *, author, visibility):
    """Apply visible_filter in the database to one piece of content by ``author``."""
    content = Profile.objects.filter(pk=author.pk).annotate(visibility=Value(visibility), author_id=F("pk"))
    return content.filter(visible_filter(viewer)).exists()


@pytest.fixture
def cast(ana, priya):
    connected_employee = make_person("carla", display_name="Carla Connected")
    connected_alumnus = make_person("alex", display_name="Alex Alumnus", status=ProfileStatus.ALUMNUS)
    stranger_alumnus = make_person("sam", display_name="Sam Stranger", status=ProfileStatus.ALUMNUS)
    connect(ana, connected_employee)
    connect(ana, connected_alumnus)
    return {
        "author": ana,
        "employee connection": connected_employee,
        "employee stranger": priya,
        "alumnus connection": connected_alumnus,
        "alumnus stranger": stranger_alumnus,
    }


@pytest.mark.parametrize("visibility", ["company", "network", "connections"])
@pytest.mark.parametrize(
    "who", ["author", "employee connection", "employee stranger", "alumnus connection", "alumnus stranger"]
)
def test_audience_rule(cast, visibility, who):
    viewer, author = cast[who], cast["author"]
    expected = SEES[visibility][who]
    assert can_see(viewer, author_id=author.pk, visibility=visibility) is expected
    assert seen_through_filter(viewer, author=author, visibility=visibility) is expected
    in_audience = Profile.objects.filter(audience_filter(author_id=author.pk, visibility=visibility))
    assert in_audience.filter(pk=viewer.pk).exists() is expected


def test_an_alumnus_never_sees_company_content_not_even_their_own(olu):
    assert can_see(olu, author_id=olu.pk, visibility="company") is False
    assert seen_through_filter(olu, author=olu, visibility="company") is False
    assert can_see(olu, author_id=olu.pk, visibility="connections") is True


def test_nobody_signed_out_sees_anything(ana):
    for visibility in ("company", "network", "connections"):
        assert can_see(None, author_id=ana.pk, visibility=visibility) is False
        assert seen_through_filter(None, author=ana, visibility=visibility) is False


def test_a_status_change_takes_effect_on_the_next_request(ana, priya, client_for):
    client = client_for(priya)
    assert client.get("/api/v1/profiles/ana/").json()["internal"] is not None
    Profile.objects.filter(pk=priya.pk).update(status=ProfileStatus.ALUMNUS)
    assert client.get("/api/v1/profiles/ana/").json()["internal"] is None


def test_removing_a_connection_removes_connections_content(cast):
    from profiles.services import connection_remove

    ana, carla = cast["author"], cast["employee connection"]
    connection_remove(profile=carla, other=ana)
    assert can_see(carla, author_id=ana.pk, visibility="connections") is False
    assert seen_through_filter(carla, author=ana, visibility="connections") is False


# --- Who may write which visibility: one rule, one wording, wherever one writes ------------

WRITES = {
    "employee": (["company", "network", "connections"], "company"),
    "alumnus": (["network", "connections"], "network"),
}
OFFERED_WORDS = {
    "company": ("Company", "Everyone who works at the company"),
    "network": ("Network", "Employees and alumni"),
    "connections": ("Connections", "Only your connections"),
}


def composer_offers(client) -> tuple[list[tuple[str, str]], str]:
    """The composer's (value, "label · help") options, and the one selected."""
    response = client.get("/")
    assert response.status_code == 200
    picker = response.content.decode().split('id="composer-visibility"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]*)</option>', picker)
    return [(value, html.unescape(text)) for value, _, text in options], next(v for v, s, _ in options if s)


def album_form_offers(client) -> tuple[list[tuple[str, str]], str]:
    """The album form's (value, "label · help") radio buttons, and the one checked."""
    response = client.get("/albums/new/")
    assert response.status_code == 200
    radios = re.findall(
        r'name="visibility" value="(\w+)"( checked)?>\s*<span class="choice-text"><span class="choice-label">'
        r'([^<]*)</span><span class="small muted">([^<]*)</span>',
        response.content.decode(),
    )
    offered = [(value, html.unescape(f"{label} · {help_text}")) for value, _, label, help_text in radios]
    return offered, next(v for v, checked, *_ in radios if checked)


def api_offers(person) -> tuple[list[tuple[str, str]], str]:
    """What ``me/`` tells a mobile client to offer, and its default."""
    client = APIClient()
    client.force_authenticate(user=person.user)
    me = client.get("/api/v1/me/").json()
    offered = [(c["value"], f"{c['label']} · {c['help']}") for c in me["visibility_choices"]]
    return offered, me["default_visibility"]


WAYS_TO_WRITE = ("API post", "API album", "composer", "album form")


def refusals(person, visibility: str) -> dict[str, tuple[str, ...]]:
    """The visibility errors each way of writing answers ``visibility`` with."""
    api = APIClient()
    api.force_authenticate(user=person.user)
    pages = Client()
    pages.force_login(person.user)
    composer = pages.post("/posts/", {"body": "Hello", "visibility": visibility})
    album_form = pages.post("/albums/new/", {"title": "Reunion", "visibility": visibility})
    post, album = {"body": "Hello", "visibility": visibility}, {"title": "Reunion", "visibility": visibility}
    answers = {
        "API post": api.post("/api/v1/posts/", post, format="json"),
        "API album": api.post("/api/v1/albums/", album, format="json"),
    }
    errors = {name: tuple(response.json()["visibility"]) for name, response in answers.items()}
    assert {response.status_code for response in [*answers.values(), composer, album_form]} == {400}
    for name, response, error_id in [
        ("composer", composer, "composer-visibility-error"),
        ("album form", album_form, "visibility-error"),
    ]:
        listed = response.content.decode().split(f'id="{error_id}"', 1)[1].split("</ul>", 1)[0]
        errors[name] = tuple(html.unescape(e) for e in re.findall(r"<li>([^<]*)</li>", listed))
    return errors


@pytest.mark.parametrize("kind", ["employee", "alumnus"])
def test_the_api_the_composer_and_the_album_form_offer_the_same_choices_in_the_same_words(
    kind, ana, olu, fresh_timelines
):
    person = {"employee": ana, "alumnus": olu}[kind]
    choices, default = WRITES[kind]
    pages = Client()
    pages.force_login(person.user)
    expected = [(value, " · ".join(OFFERED_WORDS[value])) for value in choices]

    assert composer_offers(pages) == (expected, default)
    assert album_form_offers(pages) == (expected, default)
    assert api_offers(person) == (expected, default)
    assert writable_visibilities(person) == choices


def test_an_alumnus_who_asks_for_company_gets_the_same_refusal_everywhere(olu, fresh_timelines):
    refused = "Alumni share with their network or their connections."
    assert refusals(olu, "company") == dict.fromkeys(WAYS_TO_WRITE, (refused,))
    assert not Post.objects.exists() and not Album.objects.exists()


@pytest.mark.parametrize("kind", ["employee", "alumnus"])
def test_an_unknown_visibility_gets_the_same_refusal_everywhere(kind, ana, olu, fresh_timelines):
    person = {"employee": ana, "alumnus": olu}[kind]
    unknown = "Visibility is company, network or connections."
    assert refusals(person, "everyone") == dict.fromkeys(WAYS_TO_WRITE, (unknown,))
    assert not Post.objects.exists() and not Album.objects.exists()
