"""The audience rule, as a check and as a queryset filter, for every visibility and viewer."""

import pytest
from django.db.models import F, Value

from profiles.audience import audience_filter, can_see, visible_filter
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
