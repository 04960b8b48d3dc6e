"""My connections page: the requests waiting for my answer (accept, decline), the ones I
sent (withdraw), and the people I am connected with. Each answer works as a plain form and,
with htmx, updates the page in place; nobody answers a request that is not theirs."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from profiles.models import Connection, ConnectionRequest, Profile
from profiles.services import connection_request_send
from tests.factories import make_person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/connections/"}


def signed_in(client: Client, person: Profile) -> Client:
    client.logout()
    client.force_login(person.user)
    return client


def connections_page(client: Client) -> str:
    response = client.get("/connections/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The part of the page under one heading, up to the next section."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def connected(a: Profile, b: Profile) -> bool:
    return Connection.objects.filter(profile=a, other=b).exists()


def test_an_empty_page_says_what_to_do(client, ana):
    html = connections_page(signed_in(client, ana))
    assert "No one is waiting for an answer from you." in html
    assert "No connections yet" in html
    assert "You have no requests waiting for an answer." in html


def test_ana_connects_with_priya_who_accepts_on_her_connections_page(client, ana, priya):
    signed_in(client, ana)
    response = client.post("/people/priya/connect/", {"next": "/people/priya/"})
    assert response.status_code == 302
    request = ConnectionRequest.objects.get(sender=ana, receiver=priya)
    assert "Priya Nair" in section(connections_page(client), "outgoing-heading")

    signed_in(client, priya)
    incoming = section(connections_page(client), "incoming-heading")
    assert 'href="/people/ana/">Ana Silva</a>' in incoming
    assert f'action="/connections/requests/{request.pk}/accept/"' in incoming
    response = client.post(f"/connections/requests/{request.pk}/accept/")
    assert (response.status_code, response["Location"]) == (302, "/connections/")
    assert connected(priya, ana) and connected(ana, priya)

    html = connections_page(client)
    assert "You and Ana Silva are connected." in html
    assert 'href="/people/ana/">Ana Silva</a>' in section(html, "mine-heading")
    assert "No one is waiting for an answer from you." in html

    signed_in(client, ana)
    assert "Connected" in client.get("/people/priya/").content.decode()


def test_accepting_with_htmx_updates_the_page_in_place(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, priya)
    response = client.post(f"/connections/requests/{request.pk}/accept/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="connections-content"')
    assert "You and Ana Silva are connected." in html
    assert 'href="/people/ana/">Ana Silva</a>' in section(html, "mine-heading")


def test_priya_declines_and_they_stay_unconnected(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya, message="Coffee sometime?")
    signed_in(client, priya)
    assert "Coffee sometime?" in connections_page(client)
    html = client.post(f"/connections/requests/{request.pk}/decline/", **HTMX).content.decode()
    assert "You declined Ana Silva&#x27;s request." in html
    assert "No one is waiting for an answer from you." in html
    request.refresh_from_db()
    assert request.status == "declined" and not connected(ana, priya)


def test_ana_withdraws_her_request(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, ana)
    response = client.post(f"/connections/requests/{request.pk}/withdraw/")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"
    html = connections_page(client)
    assert "You withdrew your request to Priya Nair." in html
    assert "You have no requests waiting for an answer." in html
    signed_in(client, priya)
    assert "No one is waiting for an answer from you." in connections_page(client)


def test_the_sender_may_not_accept_her_own_request(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, ana)
    client.post(f"/connections/requests/{request.pk}/accept/")
    assert "Only the person who received a request may accept it." in connections_page(client)
    assert not connected(ana, priya)


def test_answering_twice_is_the_same_as_once_and_a_late_answer_is_explained(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, priya)
    client.post(f"/connections/requests/{request.pk}/accept/")
    client.post(f"/connections/requests/{request.pk}/accept/")
    assert Connection.objects.filter(profile=priya).count() == 1
    html = client.post(f"/connections/requests/{request.pk}/decline/", **HTMX).content.decode()
    assert "This request was accepted and can no longer be declined." in html


def test_someone_elses_request_is_a_404(client, ana, priya, marco):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, marco)
    for action in ("accept", "decline", "withdraw"):
        assert client.post(f"/connections/requests/{request.pk}/{action}/").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_an_unknown_action_is_a_404_and_answers_need_a_post(client, ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    signed_in(client, priya)
    assert client.post(f"/connections/requests/{request.pk}/ignore/").status_code == 404
    assert client.get(f"/connections/requests/{request.pk}/accept/").status_code == 405
    request.refresh_from_db()
    assert request.status == "pending"


def test_answers_need_the_csrf_token(ana, priya):
    request, _ = connection_request_send(sender=ana, receiver=priya)
    client = Client(enforce_csrf_checks=True)
    client.force_login(priya.user)
    assert client.post(f"/connections/requests/{request.pk}/accept/").status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_every_answer_works_without_script(client, ana, priya, marco):
    connection_request_send(sender=priya, receiver=ana)
    connection_request_send(sender=ana, receiver=marco)
    html = connections_page(signed_in(client, ana))
    forms = re.findall(r'<form method="post" action="([^"]+)"\s+hx-post="([^"]+)"', html)
    assert sorted(action.rsplit("/", 2)[-2] for action, _ in forms) == ["accept", "decline", "withdraw"]
    assert all(action == hx for action, hx in forms)
    assert html.count('name="csrfmiddlewaretoken"') >= 4  # three answers and sign out


def test_buttons_name_the_person_they_answer(client, ana, priya, marco):
    connection_request_send(sender=priya, receiver=ana)
    connection_request_send(sender=ana, receiver=marco)
    html = connections_page(signed_in(client, ana))
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", " ", text)
    assert "Accept request from Priya Nair" in text
    assert "Decline request from Priya Nair" in text
    assert "Withdraw request to Marco Rossi" in text


def test_a_request_message_is_shown_as_text(client, ana, priya):
    connection_request_send(sender=ana, receiver=priya, message="<img src=x onerror=alert(1)>")
    html = connections_page(signed_in(client, priya))
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_page_costs_the_same_queries_for_2_or_10_requests(client, ana):
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            person = make_person(f"person{n}", headline="Engineer", skills=["Go"])
            if n % 3 == 0:
                connection_request_send(sender=person, receiver=ana, message="Hello")
            elif n % 3 == 1:
                connection_request_send(sender=ana, receiver=person)
            else:
                connection_request_send(sender=person, receiver=ana)
                connection_request_send(sender=ana, receiver=person)  # accepts: connected

    signed_in(client, ana)
    add(0, 3)
    connections_page(client)
    with CaptureQueriesContext(connection) as few:
        connections_page(client)
    add(3, 12)
    with CaptureQueriesContext(connection) as many:
        html = connections_page(client)
    assert html.count('class="request-row') == 10  # 5 to her, 5 from her
    assert len(few) == len(many)
