"""The alumni pages: the directory (``/alumni/``), one's own alumni profile (``/alumni/me/``)
and former colleagues (``/alumni/former-colleagues/``), for employees and alumni alike.

Bea left Platform in 2024 for Acme and chose to be listed; Caio left Marketing in 2023 for
Globex, listed too; Dora left quietly and is not listed. Ana (an engineer in Platform) and
Olu (an alumnus) browse them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alumni.models import AlumniProfile
from alumni.services import alumni_profile_update, alumnus_offboard
from profiles.models import ConnectionRequest, Profile
from tests.alumni.stories import worked
from tests.factories import make_person
from tests.feed.stories import connect

pytestmark = pytest.mark.django_db

DIRECTORY = "/alumni/"
ME = "/alumni/me/"
FORMER_COLLEAGUES = "/alumni/former-colleagues/"


@pytest.fixture(autouse=True)
def _alumni_state(fresh_timelines, eager_tasks):
    """Offboarding publishes activities: no timelines from another test, tasks inline."""


def leaves(
    username: str,
    *,
    left_on: dt.date,
    department=None,
    listed: bool = True,
    current_company: str = "",
    current_title: str = "",
    display_name: str | None = None,
) -> Profile:
    """Someone who worked in ``department`` left on ``left_on`` and, if ``listed``, chose to
    appear in the directory."""
    person = make_person(username, display_name=display_name, department=department)
    alumnus_offboard(profile=person, leave_date=left_on, personal_email=f"{username}@home.example")
    alumni_profile_update(
        profile=person, listed=listed, current_company=current_company, current_title=current_title
    )
    return person


@pytest.fixture
def alumni(platform, marketing):
    return {
        "bea": leaves(
            "bea",
            display_name="Bea Costa",
            left_on=dt.date(2024, 3, 31),
            department=platform,
            current_company="Acme",
            current_title="Staff Engineer",
        ),
        "caio": leaves(
            "caio",
            display_name="Caio Lima",
            left_on=dt.date(2023, 6, 30),
            department=marketing,
            current_company="Globex",
        ),
        "dora": leaves("dora", display_name="Dora Reis", left_on=dt.date(2024, 1, 31), listed=False),
    }


def shown(client, url: str = DIRECTORY, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.content.decode()


def queries_of(client, url: str) -> tuple[str, list[str]]:
    """The page, and the queries it took (after a first visit: the first request of a session
    also notes when the person was last active)."""
    shown(client, url)
    with CaptureQueriesContext(connection) as queries:
        page = shown(client, url)
    return page, [q["sql"] for q in queries.captured_queries]


def signed_in(client, person: Profile):
    person.user.refresh_from_db()  # offboarding changed the password hash the session checks
    client.force_login(person.user)
    return client


# --- The directory --------------------------------------------------------------------------


def test_an_employee_sees_the_alumni_who_opted_in(client, ana, alumni):
    page = shown(signed_in(client, ana))

    assert "Bea Costa" in page and "Caio Lima" in page
    assert "Dora Reis" not in page
    assert "Staff Engineer at Acme" in page
    assert "Was in Platform" in page and "Left in 2024" in page


def test_the_directory_filters_by_former_department_year_and_company(client, ana, alumni):
    client = signed_in(client, ana)

    by_department = shown(client, former_department="platform")
    assert "Bea Costa" in by_department and "Caio Lima" not in by_department
    by_year = shown(client, left_year="2023")
    assert "Caio Lima" in by_year and "Bea Costa" not in by_year
    by_company = shown(client, current_company="acme")
    assert "Bea Costa" in by_company and "Caio Lima" not in by_company
    by_words = shown(client, q="globex")
    assert "Caio Lima" in by_words and "Bea Costa" not in by_words


def test_filters_that_match_no_one_say_so(client, ana, alumni):
    page = shown(signed_in(client, ana), left_year="1999")

    assert "No alumni match these filters" in page


def test_an_unknown_department_is_an_error_on_the_page(client, ana, alumni):
    response = signed_in(client, ana).get(DIRECTORY, {"former_department": "nowhere"})

    assert response.status_code == 400
    assert "No department is called" in response.content.decode()


def test_htmx_gets_only_the_results(client, ana, alumni):
    response = signed_in(client, ana).get(DIRECTORY, {"q": "bea"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<section id="alumni-results"') and "<html" not in page
    assert "Bea Costa" in page


def test_an_alumnus_who_is_not_listed_is_invited_to_opt_in(client, olu, alumni):
    page = shown(signed_in(client, olu))

    assert "You are not listed in the alumni directory yet" in page
    assert 'href="/alumni/me/"' in page
    assert "Bea Costa" in page


def test_a_listed_alumnus_is_not_asked_again_and_finds_themself(client, alumni):
    page = shown(signed_in(client, alumni["bea"]))

    assert "You are not listed" not in page
    assert "That’s you" in page


def test_each_card_says_how_we_stand_and_offers_to_connect(client, ana, alumni):
    connect(ana, alumni["caio"])

    page = shown(signed_in(client, ana))

    assert "Connected" in page
    assert 'action="/people/bea/connect/"' in page
    assert '<input type="hidden" name="next" value="/alumni/">' in page


def test_the_directory_costs_the_same_queries_for_2_or_10_alumni(client, ana, platform):
    client = signed_in(client, ana)
    for n in range(2):
        leaves(f"early{n}", left_on=dt.date(2022, 1, 1), department=platform, current_company="Initech")
    _page, few = queries_of(client, DIRECTORY)
    for n in range(8):
        person = leaves(f"late{n}", left_on=dt.date(2023, 1, 1), department=platform)
        alumni_profile_update(profile=person, links=["https://example.com/a", "https://example.org/b"])
        if n % 2:
            connect(ana, person)
    page, many = queries_of(client, DIRECTORY)

    assert page.count('class="card alumnus-card"') == 10
    assert len(many) == len(few), many


# --- My alumni profile ----------------------------------------------------------------------


def test_an_employee_is_told_the_profile_shows_once_they_leave(client, ana):
    page = shown(signed_in(client, ana), ME)

    assert "You still work here" in page
    assert "Tell my connections when I leave" in page
    assert not AlumniProfile.objects.filter(profile=ana).exists()  # looking writes nothing


def test_an_alumnus_fills_in_their_alumni_profile_and_opts_in(client, olu, ana):
    client = signed_in(client, olu)
    response = client.post(
        ME,
        {
            "current_company": "Acme",
            "current_title": "SRE Lead",
            "location": "Lagos",
            "links": "https://olu.example\n\n https://github.com/olu \n",
            "listed": "on",
            "open_to_rehire": "on",
        },
    )

    assert (response.status_code, response["Location"]) == (302, ME)
    saved = AlumniProfile.objects.get(profile=olu)
    assert (saved.current_company, saved.current_title, saved.listed, saved.open_to_rehire) == (
        "Acme",
        "SRE Lead",
        True,
        True,
    )
    assert saved.links == ["https://olu.example", "https://github.com/olu"]
    olu.refresh_from_db()
    assert olu.location == "Lagos"
    assert "Your alumni profile is saved." in shown(client, ME)
    assert "SRE Lead at Acme" in shown(signed_in(client, ana))


def test_a_link_that_is_not_a_web_address_is_shown_next_to_the_field_and_nothing_changes(client, olu):
    response = signed_in(client, olu).post(
        ME, {"current_company": "Acme", "links": "https://olu.example\njavascript:alert(1)", "listed": "on"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="links-error"' in page and "is not an http(s) address" in page
    assert "javascript:alert(1)</textarea>" in page  # what was typed is kept
    assert not AlumniProfile.objects.filter(profile=olu, listed=True).exists()


def test_more_than_five_links_are_refused(client, olu):
    links = "\n".join(f"https://olu.example/{n}" for n in range(6))
    response = signed_in(client, olu).post(ME, {"links": links})

    assert response.status_code == 400
    assert 'id="links-error"' in response.content.decode()


# --- Former colleagues ----------------------------------------------------------------------


@pytest.fixture
def platform_history(ana, marco, platform):
    """Ana joined Platform in 2020; Bea was beside her until the end of 2023; Caio for the
    second half of 2023."""
    worked(ana, start=dt.date(2020, 1, 1), department=platform, manager=marco)
    return {
        "bea": worked(
            make_person("bea", display_name="Bea Costa", headline="Backend Engineer"),
            start=dt.date(2019, 1, 1),
            end=dt.date(2023, 12, 31),
            department=platform,
            manager=marco,
        ),
        "caio": worked(
            make_person("caio", display_name="Caio Lima"),
            start=dt.date(2023, 6, 1),
            end=dt.date(2023, 12, 31),
            department=platform,
            manager=marco,
        ),
    }


def test_former_colleagues_show_how_long_we_worked_together(client, ana, platform_history):
    page = shown(signed_in(client, ana), FORMER_COLLEAGUES)

    assert "Bea Costa" in page and "Caio Lima" in page
    assert page.index("Bea Costa") < page.index("Caio Lima")  # the longest overlap first
    assert "4 years together in Platform" in page
    assert "7 months together in Platform" in page
    assert "Reconnect" in page


def test_one_click_sends_a_connection_request_and_the_button_says_so(client, ana, platform_history):
    bea = platform_history["bea"]

    response = signed_in(client, ana).post(
        FORMER_COLLEAGUES, {"connect": "bea"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div class="connection"') and "Request sent" in page
    assert ConnectionRequest.objects.filter(sender=ana, receiver=bea, status="pending").exists()
    assert "Request sent" in shown(client, FORMER_COLLEAGUES)


def test_without_htmx_the_request_is_sent_and_the_page_comes_back(client, ana, platform_history):
    response = signed_in(client, ana).post(FORMER_COLLEAGUES, {"connect": "caio"})

    assert (response.status_code, response["Location"]) == (302, FORMER_COLLEAGUES)
    assert "Request sent to Caio Lima." in shown(client, FORMER_COLLEAGUES)


def test_reconnecting_with_someone_already_connected_changes_nothing(client, ana, platform_history):
    connect(ana, platform_history["bea"])

    response = signed_in(client, ana).post(
        FORMER_COLLEAGUES, {"connect": "bea"}, headers={"HX-Request": "true"}
    )

    assert "Connected" in response.content.decode()
    assert not ConnectionRequest.objects.filter(status="pending").exists()


def test_reconnecting_with_no_one_is_a_404(client, ana):
    assert signed_in(client, ana).post(FORMER_COLLEAGUES, {"connect": "nobody"}).status_code == 404


def test_no_former_colleagues_is_a_friendly_empty_page(client, priya):
    assert "No former colleagues yet" in shown(signed_in(client, priya), FORMER_COLLEAGUES)


def test_former_colleagues_cost_the_same_queries_for_2_or_10(client, ana, marco, platform):
    client = signed_in(client, ana)
    worked(ana, start=dt.date(2020, 1, 1), department=platform, manager=marco)

    def colleague(username: str, n: int) -> Profile:
        return worked(
            make_person(username),
            start=dt.date(2019, 1, 1 + n),
            end=dt.date(2022, 12, 31),
            department=platform,
            manager=marco,
        )

    for n in range(2):
        colleague(f"early{n}", n)
    _page, few = queries_of(client, FORMER_COLLEAGUES)
    for n in range(8):
        person = colleague(f"late{n}", n)
        if n % 2:
            connect(ana, person)
    page, many = queries_of(client, FORMER_COLLEAGUES)

    assert page.count('class="colleague"') == 10
    assert len(many) == len(few), many
