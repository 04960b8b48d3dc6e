"""Two people connect: one asks from the people directory, the other accepts on their
connections page."""

import re

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from profiles.models import Connection, ConnectionRequest, Profile, ProfileStatus

pytestmark = pytest.mark.django_db(transaction=True)


def a_stranger_to(username: str) -> Profile:
    """An employee with a name of their own, not connected to the person and with no request
    between them."""
    me = Profile.objects.get(user__username=username)
    taken = set(Connection.objects.filter(profile=me).values_list("other_id", flat=True))
    for request in ConnectionRequest.objects.filter(Q(sender=me) | Q(receiver=me)):
        taken |= {request.sender_id, request.receiver_id}
    people = Profile.objects.filter(status=ProfileStatus.EMPLOYEE, department__isnull=False)
    names = list(people.values_list("display_name", flat=True))
    for person in people.exclude(pk__in=taken | {me.pk}).select_related("user").order_by("pk"):
        if names.count(person.display_name) == 1:
            return person
    raise AssertionError(f"the demo company has no stranger to {username}")


def test_a_connection_request_is_sent_from_the_directory_and_accepted(browsers, sign_in, demo):
    asker = demo.employee
    asker_name = demo.name_of(asker)
    other = a_stranger_to(asker)

    # The employee finds the other person in the directory and asks to connect.
    mine = sign_in(browsers.new_page(), asker)
    mine.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    mine.get_by_role("searchbox", name="Search people").fill(other.display_name)
    card = mine.get_by_role("listitem").filter(
        has=mine.get_by_role("link", name=other.display_name, exact=True)
    )
    expect(card).to_have_count(1)
    card.get_by_role("button", name=f"Connect with {other.display_name}").click()
    expect(card.get_by_role("status")).to_have_text(f"Request sent to {other.display_name}.")
    expect(card.get_by_role("button", name=f"Withdraw request to {other.display_name}")).to_be_visible()

    # The other person sees the request on their connections page and accepts it.
    theirs = sign_in(browsers.new_page(), other.user.username)
    theirs.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    requests = theirs.get_by_role("region", name=re.compile(r"^Requests to you"))
    expect(requests.get_by_role("link", name=asker_name, exact=True)).to_be_visible()
    requests.get_by_role("button", name=f"Accept request from {asker_name}").click()

    expect(requests.get_by_role("link", name=asker_name, exact=True)).to_have_count(0)
    connections = theirs.get_by_role("region", name=re.compile(r"^Your connections"))
    expect(connections.get_by_role("link", name=asker_name, exact=True)).to_be_visible()

    # Back on the asker's side, they are connected.
    mine.goto(f"/people/{other.user.username}/")
    person = mine.get_by_role("region", name=other.display_name)
    expect(person).to_contain_text("Connected")
    expect(person.get_by_role("button", name=re.compile(r"^(Connect|Withdraw)"))).to_have_count(0)
