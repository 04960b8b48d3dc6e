"""The alumni directory (``alumni/``) and one's own alumni profile (``alumni/me/``).

Alumni appear in the directory only once they opt in; employees and alumni both browse it.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alumni.models import AlumniProfile
from alumni.services import alumni_profile_update, alumnus_offboard
from profiles import services as graph
from profiles.models import Profile
from tests.factories import make_person

pytestmark = pytest.mark.django_db

DIRECTORY = "/api/v1/alumni/"
ME = "/api/v1/alumni/me/"


def leaves(
    username: str,
    *,
    left_on: dt.date,
    department=None,
    listed: bool = True,
    display_name: str | None = None,
    current_company: str = "",
    skills: list[str] = (),
) -> Profile:
    """Someone who worked in ``department`` left the company on ``left_on`` and, if ``listed``,
    chose to appear in the directory."""
    person = make_person(username, display_name=display_name, department=department, skills=skills)
    alumnus_offboard(profile=person, leave_date=left_on, personal_email=f"{username}@home.example")
    if listed or current_company:
        alumni_profile_update(profile=person, listed=listed, current_company=current_company)
    return person


def listed_usernames(client, **params) -> list[str]:
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200, response.content
    return [card["username"] for card in response.json()["results"]]


def connect(a: Profile, b: Profile) -> None:
    request, _created = graph.connection_request_send(sender=a, receiver=b)
    graph.connection_request_accept(request=request, by=b)


# --- Who is listed ----------------------------------------------------------------------------


def test_only_alumni_who_opted_in_are_listed(platform, ana, olu, client_for):
    leaves("bea", left_on=dt.date(2024, 3, 31), department=platform, listed=True)
    leaves("caio", left_on=dt.date(2024, 4, 30), department=platform, listed=False)
    # An employee may set up her alumni profile before she leaves; she is still not listed.
    assert client_for(ana).patch(ME, {"listed": True}, format="json").status_code == 200

    assert listed_usernames(client_for(ana)) == ["bea"]


def test_listing_is_off_until_the_alumnus_opts_in(platform, ana, client_for):
    dora = leaves("dora", left_on=dt.date(2024, 3, 31), department=platform, listed=False)
    assert client_for(dora).get(ME).json()["listed"] is False
    assert listed_usernames(client_for(ana)) == []

    assert client_for(dora).patch(ME, {"listed": True}, format="json").status_code == 200

    assert listed_usernames(client_for(ana)) == ["dora"]


def test_employees_and_alumni_both_browse_the_directory(platform, ana, olu, client_for):
    leaves("bea", left_on=dt.date(2024, 3, 31), department=platform)

    assert listed_usernames(client_for(ana)) == ["bea"]
    assert listed_usernames(client_for(olu)) == ["bea"]


def test_the_directory_is_closed_to_strangers(anon):
    response = anon.get(DIRECTORY)
    assert response.status_code == 401
    assert "detail" in response.json()


# --- Filters ----------------------------------------------------------------------------------


def test_q_finds_alumni_by_name_and_by_current_company(platform, ana, client_for):
    leaves("bea", display_name="Beatriz Costa", left_on=dt.date(2024, 3, 31), current_company="Acme Robotics")
    leaves("caio", display_name="Caio Lima", left_on=dt.date(2024, 4, 30), current_company="Globex")
    client = client_for(ana)

    assert listed_usernames(client, q="beatriz") == ["bea"]
    assert listed_usernames(client, q="globex") == ["caio"]
    assert listed_usernames(client, q="costa acme") == ["bea"]
    assert listed_usernames(client, q="costa globex") == []


def test_former_department_includes_its_sub_departments(engineering, platform, marketing, ana, client_for):
    leaves("bea", left_on=dt.date(2024, 3, 31), department=platform)
    leaves("dora", left_on=dt.date(2024, 2, 29), department=engineering)
    leaves("eli", left_on=dt.date(2024, 1, 31), department=marketing)
    client = client_for(ana)

    assert listed_usernames(client, former_department="engineering") == ["bea", "dora"]
    assert listed_usernames(client, former_department="platform") == ["bea"]
    assert listed_usernames(client, former_department="marketing") == ["eli"]


def test_an_unknown_former_department_is_a_400_with_a_field_error(platform, ana, client_for):
    response = client_for(ana).get(DIRECTORY, {"former_department": "no-such-team"})

    assert response.status_code == 400
    assert "former_department" in response.json()


def test_left_year_keeps_those_who_left_that_year(platform, ana, client_for):
    leaves("bea", left_on=dt.date(2023, 12, 31), department=platform)
    leaves("caio", left_on=dt.date(2024, 1, 1), department=platform)
    client = client_for(ana)

    assert listed_usernames(client, left_year=2023) == ["bea"]
    assert listed_usernames(client, left_year=2024) == ["caio"]
    assert listed_usernames(client, left_year=2019) == []


@pytest.mark.parametrize("left_year", ["last-year", "1800", "20233"])
def test_a_bad_left_year_is_a_400(ana, client_for, left_year):
    response = client_for(ana).get(DIRECTORY, {"left_year": left_year})

    assert response.status_code == 400
    assert "left_year" in response.json()


def test_current_company_filter(platform, ana, client_for):
    leaves("bea", left_on=dt.date(2024, 3, 31), current_company="Acme Robotics")
    leaves("caio", left_on=dt.date(2024, 4, 30), current_company="Globex")
    leaves("dora", left_on=dt.date(2024, 5, 31))

    assert listed_usernames(client_for(ana), current_company="acme") == ["bea"]


# --- Pages and cards --------------------------------------------------------------------------


def test_pages_follow_next_and_limit_most_recent_leavers_first(platform, ana, client_for):
    for month, username in enumerate(["bea", "caio", "dora", "eli", "fabio"], start=1):
        leaves(username, left_on=dt.date(2024, month, 15), department=platform)
    client = client_for(ana)

    first = client.get(DIRECTORY, {"limit": 2}).json()
    assert set(first) >= {"results", "next"}
    assert [card["username"] for card in first["results"]] == ["fabio", "eli"]
    pages, url = [first], first["next"]
    while url:
        page = client.get(url).json()
        pages.append(page)
        url = page["next"]

    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    assert [card["username"] for page in pages for card in page["results"]] == [
        "fabio",
        "eli",
        "dora",
        "caio",
        "bea",
    ]
    assert client.get(DIRECTORY, {"limit": 0}).status_code == 400


def test_each_card_says_how_the_viewer_stands_to_the_alumnus(platform, ana, client_for):
    bea = leaves("bea", left_on=dt.date(2024, 4, 30), department=platform, current_company="Acme")
    caio = leaves("caio", left_on=dt.date(2024, 3, 31), department=platform)
    dora = leaves("dora", left_on=dt.date(2024, 2, 29), department=platform)
    leaves("eli", left_on=dt.date(2024, 1, 31), department=platform)
    connect(ana, bea)
    graph.connection_request_send(sender=ana, receiver=caio)
    graph.connection_request_send(sender=dora, receiver=ana)

    cards = client_for(ana).get(DIRECTORY).json()["results"]

    assert {card["username"]: card["connection"] for card in cards} == {
        "bea": "connected",
        "caio": "request_sent",
        "dora": "request_received",
        "eli": "none",
    }
    bea_card = cards[0]
    assert bea_card["current_company"] == "Acme"
    assert bea_card["left_on"] == "2024-04-30"
    assert bea_card["former_department"] == {"slug": "platform", "name": "Platform"}


def test_the_directory_costs_the_same_queries_for_2_or_12_alumni(platform, ana, client_for):
    def directory_queries() -> tuple[int, int]:
        client = client_for(ana)
        client.get(DIRECTORY)  # the first request of a while also notes that ana was active
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DIRECTORY, {"limit": 50})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    def more_alumni(count: int, start: int) -> None:
        for n in range(start, start + count):
            alumnus = leaves(
                f"alum{n}", left_on=dt.date(2024, 1, 1) + dt.timedelta(days=n), skills=["Go", f"Skill {n}"]
            )
            if n % 3 == 0:
                connect(ana, alumnus)
            elif n % 3 == 1:
                graph.connection_request_send(sender=alumnus, receiver=ana)

    more_alumni(2, start=0)
    queries_for_2, shown = directory_queries()
    assert shown == 2
    more_alumni(10, start=2)
    queries_for_12, shown = directory_queries()
    assert shown == 12

    assert queries_for_12 == queries_for_2


# --- My alumni profile ------------------------------------------------------------------------


def test_my_alumni_profile_starts_with_defaults_and_reading_it_writes_nothing(ana, client_for):
    response = client_for(ana).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "current_company": "",
        "current_title": "",
        "location": "",
        "links": [],
        "listed": False,
        "open_to_rehire": False,
        "announce_departure": True,
        "left_on": None,
        "former_department": None,
    }
    assert not AlumniProfile.objects.filter(profile=ana).exists()


def test_an_alumnus_tells_former_colleagues_about_life_after_the_company(olu, client_for):
    changes = {
        "current_company": "Globex",
        "current_title": "Staff SRE",
        "location": "Lagos",
        "links": ["https://olu.example/", "http://blog.olu.example/posts"],
        "listed": True,
        "open_to_rehire": True,
    }
    response = client_for(olu).patch(ME, changes, format="json")

    assert response.status_code == 200, response.content
    assert {name: response.json()[name] for name in changes} == changes
    assert {name: client_for(olu).get(ME).json()[name] for name in changes} == changes
    stored = AlumniProfile.objects.get(profile=olu)
    assert (stored.current_company, stored.listed, stored.open_to_rehire) == ("Globex", True, True)
    olu.refresh_from_db()
    assert olu.location == "Lagos"


@pytest.mark.parametrize(
    "links",
    [
        pytest.param(["javascript:alert(document.cookie)"], id="javascript"),
        pytest.param(["https://olu.example/", "ftp://files.olu.example/"], id="ftp"),
        pytest.param(["olu.example"], id="no-scheme"),
        pytest.param([f"https://olu.example/{n}" for n in range(6)], id="six-links"),
        pytest.param("https://olu.example/", id="not-a-list"),
    ],
)
def test_links_are_at_most_five_web_addresses_and_bad_ones_change_nothing(olu, client_for, links):
    client = client_for(olu)
    before = {"current_company": "Globex", "location": "Lagos", "links": ["https://olu.example/"]}
    assert client.patch(ME, before, format="json").status_code == 200

    response = client.patch(
        ME, {"current_company": "Initech", "location": "Accra", "links": links}, format="json"
    )

    assert response.status_code == 400
    assert "links" in response.json()
    after = client.get(ME).json()
    assert {name: after[name] for name in before} == before


def test_a_rejected_edit_creates_no_alumni_profile(ana, client_for):
    response = client_for(ana).patch(ME, {"links": ["javascript:alert(1)"]}, format="json")

    assert response.status_code == 400
    assert not AlumniProfile.objects.filter(profile=ana).exists()
