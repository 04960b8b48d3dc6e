"""Former colleagues (``alumni/former-colleagues/``): people who worked in the same department,
or under the same manager, at the same time, longest overlap first, and a click to reconnect.

The story of Platform, as the employment history tells it:

* Ana joined Platform on 2020-01-01 under Marco and is still there.
* Bea was in Platform under Marco from 2019 to the end of 2023: four years beside Ana.
* Caio was in Platform under Marco from June to December 2023.
* Dora was in Platform from 2015 to 2018, before Ana came.
* Eli was in Marketing, but reported to Marco, in the first half of 2021.
* Priya has been in Marketing since 2020, with no manager in common with Ana.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alumni.models import EmploymentPeriod
from profiles import services as graph
from tests.alumni.stories import worked
from tests.factories import make_person

pytestmark = pytest.mark.django_db

FORMER_COLLEAGUES = "/api/v1/alumni/former-colleagues/"
CONNECTION_REQUESTS = "/api/v1/connections/requests/"


@pytest.fixture
def platform_history(ana, marco, priya, platform, marketing):
    worked(ana, start=dt.date(2020, 1, 1), department=platform, manager=marco)
    return {
        "bea": worked(
            make_person("bea", display_name="Bea Costa"),
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
        "dora": worked(
            make_person("dora", display_name="Dora Reis"),
            start=dt.date(2015, 1, 1),
            end=dt.date(2018, 12, 31),
            department=platform,
        ),
        "eli": worked(
            make_person("eli", display_name="Eli Cohen"),
            start=dt.date(2021, 1, 1),
            end=dt.date(2021, 6, 30),
            department=marketing,
            manager=marco,
        ),
        "priya": worked(priya, start=dt.date(2020, 1, 1), department=marketing),
    }


def former_colleagues(client) -> list[dict]:
    response = client.get(FORMER_COLLEAGUES)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def overlaps(client) -> list[tuple[str, int]]:
    return [(entry["person"]["username"], entry["overlap_days"]) for entry in former_colleagues(client)]


def connection_states(client) -> dict[str, str]:
    return {entry["person"]["username"]: entry["connection"] for entry in former_colleagues(client)}


# --- Who counts, and in which order -----------------------------------------------------------


def test_colleagues_who_overlapped_in_my_department_come_longest_overlap_first(
    platform_history, ana, client_for
):
    # 2020–2023 is 1461 days; June–December 2023 is 214; January–June 2021 is 181.
    assert overlaps(client_for(ana)) == [("bea", 1461), ("caio", 214), ("eli", 181)]


def test_someone_in_my_department_at_another_time_is_not_a_former_colleague(
    platform_history, ana, client_for
):
    assert "dora" not in dict(overlaps(client_for(ana)))


def test_someone_under_my_manager_in_another_department_is_a_former_colleague(
    platform_history, ana, client_for
):
    eli = next(e for e in former_colleagues(client_for(ana)) if e["person"]["username"] == "eli")

    assert eli["department"] == {"slug": "marketing", "name": "Marketing"}
    assert eli["until"] == "2021-06-30"
    assert eli["person"]["status"] == "alumnus"


def test_my_manager_and_the_people_i_managed_are_former_colleagues_across_departments(
    platform_history, ana, marco, engineering, client_for
):
    # Marco has sat in Engineering since July 2019, managing people in Platform and Marketing.
    worked(marco, start=dt.date(2019, 7, 1), department=engineering)
    since_2020 = (timezone.localdate() - dt.date(2020, 1, 1)).days + 1

    assert dict(overlaps(client_for(ana)))["marco"] == since_2020
    # Bea from July 2019 to the end of 2023 is 1645 days.
    assert overlaps(client_for(marco)) == [("ana", since_2020), ("bea", 1645), ("caio", 214), ("eli", 181)]


def test_someone_in_an_unrelated_department_is_not_a_former_colleague(platform_history, ana, client_for):
    assert "priya" not in dict(overlaps(client_for(ana)))


def test_an_alumnus_finds_their_old_team(platform_history, olu, platform, client_for):
    # Olu worked in Platform from 2018 to 2022, with no manager on record.
    EmploymentPeriod.objects.create(
        profile=olu, start=dt.date(2018, 1, 1), end=dt.date(2022, 12, 31), department=platform
    )

    assert overlaps(client_for(olu)) == [("bea", 1461), ("ana", 1096), ("dora", 365)]


def test_the_list_is_closed_to_strangers(anon):
    assert anon.get(FORMER_COLLEAGUES).status_code == 401


# --- Connections ------------------------------------------------------------------------------


def test_each_former_colleague_says_how_we_stand(platform_history, ana, client_for):
    bea, caio, eli = platform_history["bea"], platform_history["caio"], platform_history["eli"]
    request, _created = graph.connection_request_send(sender=bea, receiver=ana)
    graph.connection_request_accept(request=request, by=ana)
    graph.connection_request_send(sender=ana, receiver=caio)
    graph.connection_request_send(sender=eli, receiver=ana)

    assert connection_states(client_for(ana)) == {
        "bea": "connected",
        "caio": "request_sent",
        "eli": "request_received",
    }


def test_an_alumnus_reconnects_with_a_former_colleague_in_one_click(
    platform_history, ana, olu, platform, client_for, committed
):
    EmploymentPeriod.objects.create(
        profile=olu, start=dt.date(2018, 1, 1), end=dt.date(2022, 12, 31), department=platform
    )
    olu_client, ana_client = client_for(olu), client_for(ana)
    assert connection_states(olu_client)["ana"] == "none"

    with committed():
        sent = olu_client.post(CONNECTION_REQUESTS, {"username": "ana"}, format="json")
    assert sent.status_code == 201, sent.content
    request_id = sent.json()["id"]
    olus_view = {e["person"]["username"]: e for e in former_colleagues(olu_client)}
    assert (olus_view["ana"]["connection"], olus_view["ana"]["connection_request"]) == (
        "request_sent",
        request_id,
    )
    anas_view = {e["person"]["username"]: e for e in former_colleagues(ana_client)}
    assert (anas_view["olu"]["connection"], anas_view["olu"]["connection_request"]) == (
        "request_received",
        request_id,
    )

    with committed():
        accepted = ana_client.post(f"{CONNECTION_REQUESTS}{request_id}/accept/")
    assert accepted.status_code == 200, accepted.content

    assert connection_states(olu_client)["ana"] == "connected"
    assert connection_states(ana_client)["olu"] == "connected"


# --- Cost -------------------------------------------------------------------------------------


def test_former_colleagues_cost_the_same_queries_for_2_or_12_colleagues(ana, marco, platform, client_for):
    worked(ana, start=dt.date(2020, 1, 1), department=platform, manager=marco)

    def colleagues_queries() -> tuple[int, int]:
        client = client_for(ana)
        client.get(FORMER_COLLEAGUES)  # the first request of a while also notes that ana was active
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FORMER_COLLEAGUES, {"limit": 50})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    def more_colleagues(count: int, start: int) -> None:
        for n in range(start, start + count):
            colleague = make_person(f"colleague{n}", skills=["Go", f"Skill {n}"])
            EmploymentPeriod.objects.create(
                profile=colleague,
                start=dt.date(2019, 1, 1),
                end=dt.date(2021, 1, 1) + dt.timedelta(days=n),
                department=platform,
                manager=marco,
            )
            if n % 3 == 0:
                request, _created = graph.connection_request_send(sender=ana, receiver=colleague)
                graph.connection_request_accept(request=request, by=colleague)
            elif n % 3 == 1:
                graph.connection_request_send(sender=colleague, receiver=ana)

    more_colleagues(2, start=0)
    queries_for_2, shown = colleagues_queries()
    assert shown == 2
    more_colleagues(10, start=2)
    queries_for_12, shown = colleagues_queries()
    assert shown == 12

    assert queries_for_12 == queries_for_2
