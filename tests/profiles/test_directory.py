"""The company directory: search, filters, pagination, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_person

pytestmark = pytest.mark.django_db


def usernames(response):
    assert response.status_code == 200, response.content
    return [p["username"] for p in response.json()["results"]]


@pytest.fixture
def company(ana, marco, priya, olu):
    return [ana, marco, priya, olu]


def test_search_by_name_is_case_insensitive_and_partial(company, client_for, ana):
    assert usernames(client_for(ana).get("/api/v1/profiles/?q=SILV")) == ["ana"]


def test_search_by_title_and_skill(company, client_for, ana):
    client = client_for(ana)
    assert usernames(client.get("/api/v1/profiles/?q=designer")) == ["priya"]
    assert usernames(client.get("/api/v1/profiles/?q=postgres")) == ["ana"]


def test_every_word_must_match(company, client_for, ana):
    client = client_for(ana)
    assert usernames(client.get("/api/v1/profiles/?q=engineer python")) == ["ana"]
    assert usernames(client.get("/api/v1/profiles/?q=engineer figma")) == []


def test_the_best_match_comes_first(company, client_for, ana):
    make_person("ana2", display_name="Anabela Banana", headline="Ana's namesake")
    results = usernames(client_for(ana).get("/api/v1/profiles/?q=ana"))
    assert results[0] == "ana"
    assert "ana2" in results


def test_filter_by_department_includes_sub_departments(company, client_for, ana, priya):
    client = client_for(ana)
    assert set(usernames(client.get("/api/v1/profiles/?department=engineering"))) == {"ana", "marco"}
    assert usernames(client.get("/api/v1/profiles/?department=marketing")) == ["priya"]


def test_filter_by_office_skill_and_status(company, client_for, ana):
    client = client_for(ana)
    assert usernames(client.get("/api/v1/profiles/?location=berlin")) == ["priya"]
    assert usernames(client.get("/api/v1/profiles/?skill=go")) == ["marco"]
    assert usernames(client.get("/api/v1/profiles/?status=alumnus")) == ["olu"]
    assert "olu" not in usernames(client.get("/api/v1/profiles/?status=employee"))


def test_unknown_filter_values_are_clear_400s(company, client_for, ana):
    client = client_for(ana)
    response = client.get("/api/v1/profiles/?department=nowhere&status=martian")
    assert response.status_code == 400
    assert set(response.json()) == {"department", "status"}
    assert client.get("/api/v1/profiles/?limit=1000").status_code == 400
    assert client.get("/api/v1/profiles/?page=zero").status_code == 400


def test_alumni_may_search_but_not_by_internal_fields(company, client_for, olu):
    client = client_for(olu)
    assert "ana" in usernames(client.get("/api/v1/profiles/?q=ana"))
    response = client.get("/api/v1/profiles/?department=platform")
    assert response.status_code == 400
    assert "employees only" in response.json()["detail"]


def test_an_empty_search_is_an_empty_page_not_an_error(company, client_for, ana):
    response = client_for(ana).get("/api/v1/profiles/?q=zzzzzz")
    assert response.json() == {"results": [], "next": None, "previous": None}


def test_pages_follow_next_links(company, client_for, ana):
    client = client_for(ana)
    first = client.get("/api/v1/profiles/?limit=3").json()
    assert len(first["results"]) == 3
    second = client.get(first["next"]).json()
    assert second["next"] is None
    seen = [p["username"] for p in first["results"] + second["results"]]
    assert sorted(seen) == ["ana", "marco", "olu", "priya"]


def test_a_page_costs_the_same_number_of_queries_however_many_people(platform, lisbon, client_for):
    viewer = make_person("viewer", department=platform, office=lisbon, skills=["Python"])
    client = client_for(viewer)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/profiles/?limit=100&q=person").status_code == 200
        return len(queries)

    count_queries()  # the first request of a session also records the viewer as active
    for i in range(3):
        make_person(f"person{i}", department=platform, office=lisbon, manager=viewer, skills=["Go", "Rust"])
    few = count_queries()
    for i in range(3, 40):
        make_person(f"person{i}", department=platform, office=lisbon, manager=viewer, skills=["Go", "Rust"])
    many = count_queries()
    assert few == many


def test_directory_rows_show_relationship_to_the_viewer(company, client_for, ana, marco):
    from profiles.services import follow

    follow(follower=ana, followee=marco)
    rows = {p["username"]: p for p in client_for(ana).get("/api/v1/profiles/").json()["results"]}
    assert rows["marco"]["is_following"] is True
    assert rows["priya"]["is_following"] is False
    assert rows["ana"]["connection"] == "self"


def test_the_directory_lists_people_not_deactivated_accounts(company, client_for, ana, priya):
    priya.user.is_active = False
    priya.user.save()
    assert "priya" not in usernames(client_for(ana).get("/api/v1/profiles/"))
    assert client_for(ana).get("/api/v1/profiles/priya/").status_code == 404


def test_postgres_answers_name_search_from_the_trigram_index(company):
    from profiles.models import Profile

    # The lookup the directory uses for each word of a search.
    queryset = Profile.objects.filter(search_text__icontains="silva").values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "profile_search_trgm" in plan
