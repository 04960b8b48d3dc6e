"""The people pages: finding colleagues in the directory, reading a profile (with what only
employees may see), following and connecting from a profile, and editing my own profile and
photo. Every page answers in a constant number of queries, however many people, posts,
albums or skills it shows."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from feed.services import post_create
from photos.services import album_create
from profiles.models import Follow, Profile
from profiles.services import connection_request_send, follow
from tests.factories import make_person
from tests.images import image_bytes, upload
from tests.photos.stories import album_with_photos

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/people/"}


def signed_in(client: Client, person: Profile) -> Client:
    client.force_login(person.user)
    return client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def found(client: Client, **params) -> list[str]:
    """The usernames the directory lists for ``params``, in order."""
    html = html_of(client.get("/people/", params))
    results = html.split('id="results"', 1)[-1]
    return re.findall(r'class="person-name" href="/people/([^/]+)/"', results)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- The directory --------------------------------------------------------------------------


@pytest.fixture
def everyone(ana, marco, priya, olu):
    return [ana, marco, priya, olu]


def test_the_directory_lists_everyone_by_name(client, everyone):
    signed_in(client, everyone[0])
    assert found(client) == ["ana", "marco", "olu", "priya"]


def test_ana_finds_priya_by_her_skill_and_marco_by_his_surname(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, q="figma") == ["priya"]
    assert found(client, q="Rossi") == ["marco"]


def test_a_department_filter_takes_in_its_sub_departments(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, department="engineering") == ["ana", "marco"]
    assert found(client, department="marketing") == ["priya"]


def test_an_office_filter_finds_who_sits_there(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, office="berlin") == ["priya"]
    assert found(client, office="lisbon") == ["ana", "marco"]


def test_a_skill_filter_finds_who_has_it(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, skill="Python") == ["ana"]
    assert found(client, skill="kubernetes") == ["olu"]


TAG_LINK = r'<a class="tag tag-link" href="([^"]+)">([^<]+)</a>'


def test_every_skill_tag_on_a_profile_leads_to_a_directory_page_that_lists_its_owner(client, ana, priya):
    from profiles.services import profile_update

    skills = ["Node.js", "C++", "C#", "Go", "UX/UI", "Python 3", "Français", "日本語"]
    profile_update(profile=priya, skills=skills)
    profile_update(profile=ana, skills=["C", "node JS"])  # C is not C++; node JS is Node.js
    signed_in(client, ana)

    profile = html_of(client.get("/people/priya/"))
    tags = [(unescape(href), unescape(name)) for href, name in re.findall(TAG_LINK, profile)]

    assert sorted(name for _, name in tags) == sorted(skills)
    for href, name in tags:
        results = html_of(client.get(href)).split('id="results"', 1)[-1]
        listed = re.findall(r'class="person-name" href="/people/([^/]+)/"', results)
        assert "priya" in listed, name
        assert ("ana" in listed) == (name == "Node.js"), name


def test_a_status_filter_separates_employees_from_alumni(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, status="alumnus") == ["olu"]
    assert found(client, status="employee") == ["ana", "marco", "priya"]


def test_filters_combine_with_the_search(client, everyone):
    signed_in(client, everyone[0])
    assert found(client, q="engineer", office="lisbon") == ["ana", "marco"]
    assert found(client, q="engineer", office="berlin") == []


def test_an_alumnus_is_not_offered_the_internal_filters(client, everyone):
    olu = everyone[3]
    html = html_of(signed_in(client, olu).get("/people/"))
    assert 'name="department"' not in html and 'name="office"' not in html
    assert 'name="skill"' in html and 'name="status"' in html


def test_an_alumnus_who_filters_by_department_is_told_why_and_sees_everyone(client, everyone):
    olu = everyone[3]
    signed_in(client, olu)
    html = html_of(client.get("/people/", {"department": "marketing", "office": "berlin"}))
    assert "Filtering by department or office is available to employees only." in html
    assert found(client, department="marketing") == ["ana", "marco", "olu", "priya"]


def test_an_unknown_status_or_department_is_explained_not_a_failure(client, everyone):
    signed_in(client, everyone[0])
    html = html_of(client.get("/people/", {"status": "contractor"}))
    assert "Status is one of: employee, alumnus." in html
    html = html_of(client.get("/people/", {"department": "no-such-team"}))
    assert "No department is called" in html


def test_no_match_shows_an_empty_state_that_names_the_search(client, everyone):
    html = html_of(signed_in(client, everyone[0]).get("/people/", {"q": "zebra"}))
    assert "No one matches “zebra”" in html
    assert "0 people" in html


def test_the_live_search_answers_htmx_with_the_results_only(client, everyone):
    signed_in(client, everyone[0])
    html = html_of(client.get("/people/", {"q": "figma"}, **HTMX))
    assert "<html" not in html and "<form" not in html.split("person-card", 1)[0]
    assert 'id="result-count"' in html and 'hx-swap-oob="true"' in html
    assert "Priya Nair" in html and "Ana Silva" not in html


def test_the_search_box_searches_as_one_types_and_still_works_as_a_plain_form(client, everyone):
    html = html_of(signed_in(client, everyone[0]).get("/people/"))
    form = html.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in html.split('role="search"', 1)[0].rsplit("<form", 1)[1]
    assert 'hx-trigger="input changed delay:300ms, search"' in form
    assert 'hx-push-url="true"' in html.split('role="search"', 1)[0].rsplit("<form", 1)[1] + form
    assert '<label for="people-q">' in form


def test_cards_show_how_ana_stands_to_each_person(client, everyone):
    ana, marco, priya, olu = everyone
    follow(follower=ana, followee=marco)
    connection_request_send(sender=ana, receiver=priya)
    connection_request_send(sender=olu, receiver=ana)
    html = html_of(signed_in(client, ana).get("/people/"))
    card = {p.username: html.split(f'id="actions-{p.pk}"', 1)[1].split("</li>", 1)[0] for p in everyone}
    assert "Edit profile" in card["ana"]
    assert "Unfollow" in card["marco"] and "Connect" in card["marco"]
    assert "Connection request sent" in card["priya"] and "Withdraw" in card["priya"]
    assert "Wants to connect" in card["olu"] and "Accept" in card["olu"]


def test_the_directory_costs_the_same_queries_for_3_or_15_people(client, ana, platform, lisbon):
    def add_people(start: int, count: int) -> None:
        for n in range(start, start + count):
            person = make_person(
                f"person{n}", headline="Engineer", department=platform, office=lisbon, skills=["Go", "Rust"]
            )
            follow(follower=ana, followee=person)
            if n % 2:
                connection_request_send(sender=ana, receiver=person)

    search = {"q": "engineer", "department": "engineering", "office": "lisbon", "skill": "go"}
    url = "/people/?" + "&".join(f"{k}={v}" for k, v in search.items())
    signed_in(client, ana)
    add_people(0, 2)
    client.get("/people/")  # the first request of a session records the person as active
    assert len(found(client, **search)) == 3  # Marco and two more
    few = queries_for(client, url)
    add_people(2, 12)
    assert len(found(client, **search)) == 15
    many = queries_for(client, url)
    assert few == many


# --- A profile ------------------------------------------------------------------------------


def test_employees_see_a_colleagues_work_details(client, ana, priya):
    html = html_of(signed_in(client, ana).get("/people/priya/"))
    assert "Priya Nair" in html and "Brand Designer" in html
    for detail in ("At work", "Marketing", "Berlin", "priya@company.example"):
        assert detail in html


def test_ana_sees_her_manager_on_her_own_profile(client, ana, marco):
    html = html_of(signed_in(client, ana).get("/people/ana/"))
    assert 'href="/people/marco/">Marco Rossi</a>' in html
    assert "+351 21 000 0001" in html
    assert "Edit profile" in html


def test_an_alumnus_never_sees_work_details(client, ana, olu):
    html = html_of(signed_in(client, olu).get("/people/ana/"))
    assert "Ana Silva" in html and "Senior Backend Engineer" in html
    for detail in ("At work", "Platform", "Lisbon", "ana@company.example", "+351 21 000 0001", "Marco Rossi"):
        assert detail not in html


def test_an_alumnus_is_marked_as_one(client, ana, olu):
    html = html_of(signed_in(client, ana).get("/people/olu/"))
    assert '<span class="tag tag-alumnus">Alumnus</span>' in html


def test_an_unknown_person_is_a_404(client, ana):
    assert signed_in(client, ana).get("/people/nobody/").status_code == 404


def test_the_posts_tab_shows_only_what_the_viewer_may_see(client, ana, olu):
    post_create(author=ana, body="Inside news for colleagues", visibility="company")
    post_create(author=ana, body="Hello to everyone, alumni too", visibility="network")
    html = html_of(signed_in(client, ana).get("/people/ana/"))
    assert "Inside news for colleagues" in html and "Hello to everyone" in html
    assert "Company" in html and "Network" in html
    html = html_of(signed_in(client, olu).get("/people/ana/?tab=posts"))
    assert "Hello to everyone" in html and "Inside news" not in html


def test_tabs_answer_htmx_with_the_tab_only(client, ana):
    album_create(owner=ana, title="Lisbon offsite", visibility="company")
    html = html_of(signed_in(client, ana).get("/people/ana/?tab=albums", **HTMX))
    assert html.lstrip().startswith('<div id="profile-tab"')
    assert 'href="?tab=albums" hx-get="?tab=albums" aria-current="page"' in html
    assert "Lisbon offsite" in html


def test_album_cards_show_their_cover_through_the_checked_media_url(
    client, client_for, ana, media_root, eager_tasks, committed
):
    album, photos = album_with_photos(client_for(ana), committed, count=1, title="Team lunch")
    html = html_of(signed_in(client, ana).get("/people/ana/?tab=albums"))
    assert f'href="/albums/{album["id"]}/"' in html
    assert f'src="/api/v1/photos/{photos[0]["id"]}/media/thumb/"' in html
    assert "1 photo" in html


def connected(a: Profile, b: Profile) -> None:
    connection_request_send(sender=a, receiver=b)
    connection_request_send(sender=b, receiver=a)  # asking back connects them


def test_the_connections_tab_lists_a_persons_connections(client, ana, marco, priya):
    connected(priya, marco)
    html = html_of(signed_in(client, priya).get("/people/marco/?tab=connections"))
    assert 'href="/people/priya/">Priya Nair</a>' in html


def connections_seen_on_the_web(client: Client, person: str) -> list[str] | None:
    """The usernames the profile's connections tab lists, or None when the page offers no such
    tab (it then shows the posts) and no preview of them either."""
    html = html_of(client.get(f"/people/{person}/?tab=connections"))
    if 'href="?tab=connections"' not in html:
        assert "connections-preview" not in html
        return None
    tab = html.split('id="profile-tab"', 1)[1]
    return re.findall(r'class="person-name" href="/people/([^/]+)/"', tab)


def connections_seen_in_the_api(person: str, viewer: Profile) -> list[str] | None:
    """The usernames ``GET profiles/{person}/connections/`` lists, or None for its 404."""
    api = APIClient()
    api.force_authenticate(user=viewer.user)
    response = api.get(f"/api/v1/profiles/{person}/connections/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return [card["username"] for card in response.json()["results"]]


def test_a_persons_connections_are_seen_by_them_and_their_connections_alike_on_the_web_and_in_the_api(
    ana, marco, priya, olu
):
    """Marco is connected with Priya and with Olu, an alumnus. Marco and his connections see
    whom he is connected with; Ana, his report but not a connection, sees only how many they
    are, on his page and through the API alike."""
    connected(priya, marco)
    connected(olu, marco)
    seen = {}
    for viewer in (marco, priya, olu, ana):
        web = connections_seen_on_the_web(signed_in(Client(), viewer), "marco")
        assert web == connections_seen_in_the_api("marco", viewer), viewer.username
        seen[viewer.username] = web
    assert seen == {
        "marco": ["olu", "priya"],
        "priya": ["olu", "priya"],
        "olu": ["olu", "priya"],
        "ana": None,
    }
    assert "2 connections" in html_of(signed_in(Client(), ana).get("/people/marco/"))


def test_a_stranger_who_asks_for_the_connections_tab_gets_the_posts(client, ana, marco, priya):
    connected(priya, marco)
    post_create(author=marco, body="Planning notes", visibility="company")
    html = html_of(signed_in(client, ana).get("/people/marco/?tab=connections"))
    assert "Planning notes" in html
    assert 'href="/people/priya/">Priya Nair</a>' not in html


def test_the_profile_costs_the_same_queries_for_2_or_10_posts_albums_and_skills(client, ana, marco, priya):
    from profiles.services import profile_update

    def grow(n: int) -> None:
        for i in range(n):
            post_create(author=marco, body=f"Update {i}", visibility="company")
            album_create(owner=marco, title=f"Album {i}", visibility="company")
        profile_update(profile=marco, skills=[f"Skill {i}" for i in range(n)])

    connected(priya, marco)
    connected(ana, marco)  # so that Ana sees the connections tab too
    signed_in(client, ana)
    grow(2)
    client.get("/people/marco/")
    few = [queries_for(client, f"/people/marco/?tab={tab}") for tab in ("posts", "albums", "connections")]
    grow(10)
    many = [queries_for(client, f"/people/marco/?tab={tab}") for tab in ("posts", "albums", "connections")]
    assert few == many


# --- Following and connecting from a profile ------------------------------------------------


def test_ana_follows_priya_and_the_button_turns_to_unfollow(client, ana, priya):
    signed_in(client, ana)
    response = client.post("/people/priya/follow/", {"action": "follow", "next": "/people/priya/"})
    assert (response.status_code, response["Location"]) == (302, "/people/priya/")
    assert Follow.objects.filter(follower=ana, followee=priya).exists()
    html = html_of(client.get("/people/priya/"))
    assert "You follow Priya Nair." in html
    assert ">\n        Unfollow<span" in html


def test_the_follow_button_swaps_in_place_with_htmx(client, ana, priya):
    signed_in(client, ana)
    html = html_of(client.post("/people/priya/follow/", {"action": "follow"}, **HTMX))
    assert html.lstrip().startswith(f'<div class="person-actions" id="actions-{priya.pk}"')
    assert "Unfollow" in html and "You follow Priya Nair." in html
    html = html_of(client.post("/people/priya/follow/", {"action": "unfollow"}, **HTMX))
    assert not Follow.objects.filter(follower=ana, followee=priya).exists()
    assert "You no longer follow Priya Nair." in html


def test_without_an_action_the_follow_button_toggles(client, ana, priya):
    signed_in(client, ana)
    client.post("/people/priya/follow/")
    assert Follow.objects.filter(follower=ana, followee=priya).exists()
    client.post("/people/priya/follow/")
    assert not Follow.objects.filter(follower=ana, followee=priya).exists()


def test_following_oneself_is_refused_with_a_message(client, ana):
    signed_in(client, ana)
    client.post("/people/ana/follow/", {"action": "follow"})
    assert "You cannot follow yourself." in html_of(client.get("/people/ana/"))


def test_a_follow_needs_a_post(client, ana, priya):
    assert signed_in(client, ana).get("/people/priya/follow/").status_code == 405


def test_a_next_address_elsewhere_is_ignored(client, ana, priya):
    signed_in(client, ana)
    response = client.post("/people/priya/follow/", {"next": "https://evil.example/"})
    assert response["Location"] == "/people/priya/"


def test_connecting_from_a_profile_shows_the_request_as_sent(client, ana, priya):
    signed_in(client, ana)
    html = html_of(client.post("/people/priya/connect/", **HTMX))
    assert "Request sent to Priya Nair." in html
    assert "Withdraw" in html
    assert "Connection request sent" in html_of(client.get("/people/priya/"))


def test_connecting_with_someone_who_asked_first_connects_at_once(client, ana, priya):
    connection_request_send(sender=priya, receiver=ana)
    signed_in(client, ana)
    html = html_of(client.post("/people/priya/connect/", **HTMX))
    assert "You and Priya Nair are connected." in html and "Connected" in html


def test_accepting_from_the_profile_swaps_the_buttons_to_connected(client, ana, priya):
    request, _ = connection_request_send(sender=priya, receiver=ana)
    signed_in(client, ana)
    html = html_of(client.post(f"/connections/requests/{request.pk}/accept/", {"return": "actions"}, **HTMX))
    assert html.lstrip().startswith(f'<div class="person-actions" id="actions-{priya.pk}"')
    assert "Connected" in html and "Unfollow" in html


def test_connecting_with_a_connection_again_says_so(client, ana, priya):
    connection_request_send(sender=priya, receiver=ana)
    connection_request_send(sender=ana, receiver=priya)
    signed_in(client, ana)
    html = html_of(client.post("/people/priya/connect/", **HTMX))
    assert "You are already connected with @priya." in html


def test_follow_and_connect_buttons_need_the_csrf_token(ana, priya):
    client = signed_in(Client(enforce_csrf_checks=True), ana)
    assert client.post("/people/priya/follow/").status_code == 403
    assert client.post("/people/priya/connect/").status_code == 403
    assert not Follow.objects.filter(follower=ana, followee=priya).exists()


def test_the_page_gives_htmx_the_csrf_token(client, ana):
    html = html_of(signed_in(client, ana).get("/people/"))
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)


# --- What people write is shown as text -----------------------------------------------------


def test_names_headlines_and_bios_are_escaped(client, ana):
    mallory = make_person(
        "mallory", display_name="<script>alert(1)</script>", headline='"><img src=x onerror=alert(2)>'
    )
    mallory.bio = "<b>bold</b>\nsecond line"
    mallory.save()
    signed_in(client, ana)
    for url in ("/people/", "/people/mallory/"):
        html = html_of(client.get(url))
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;<br>second line" in html_of(client.get("/people/mallory/"))


def test_pages_carry_no_inline_script_or_style(client, ana, priya):
    signed_in(client, ana)
    for url in ("/people/", "/people/priya/", "/me/edit/"):
        html = html_of(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\s(on\w+|style|hx-on[\w:-]*)=", html), url


# --- Editing my profile ---------------------------------------------------------------------


def test_the_edit_form_shows_what_ana_has_now(client, ana):
    html = html_of(signed_in(client, ana).get("/me/edit/"))
    assert 'value="Ana Silva"' in html
    assert 'value="Python, PostgreSQL"' in html or 'value="PostgreSQL, Python"' in html
    for label in ("Display name", "Headline", "Bio", "Pronouns", "Location", "Skills", "New photo"):
        assert f">{label}</label>" in html


def test_ana_edits_her_profile(client, ana):
    signed_in(client, ana)
    response = client.post(
        "/me/edit/",
        {
            "display_name": "Ana M. Silva",
            "headline": "Staff Engineer",
            "bio": "Databases and coffee.",
            "pronouns": "she/her",
            "location": "Porto",
            "skills": "Python, Rust , , Kafka",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/people/ana/")
    ana.refresh_from_db()
    assert (ana.display_name, ana.headline, ana.pronouns, ana.location) == (
        "Ana M. Silva",
        "Staff Engineer",
        "she/her",
        "Porto",
    )
    assert sorted(s.name for s in ana.skills.all()) == ["Kafka", "Python", "Rust"]
    html = html_of(client.get("/people/ana/"))
    assert "Your profile is saved." in html and "Databases and coffee." in html
    assert found(client, q="kafka") == ["ana"]


def test_a_blank_name_or_a_too_long_headline_is_shown_beside_its_field(client, ana):
    signed_in(client, ana)
    response = client.post(
        "/me/edit/", {"display_name": "", "headline": "x" * 161, "bio": "kept", "skills": "Go"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    name_field = html.split('for="profile-display_name"', 1)[1].split('class="field"', 1)[0]
    assert "This field may not be blank." in name_field and 'aria-invalid="true"' in name_field
    headline_field = html.split('for="profile-headline"', 1)[1].split('class="field"', 1)[0]
    assert "Ensure this field has no more than 160 characters." in headline_field
    assert ">kept</textarea>" in html  # what she typed is still there
    ana.refresh_from_db()
    assert ana.display_name == "Ana Silva" and ana.bio == ""


def test_too_many_skills_are_refused(client, ana):
    signed_in(client, ana)
    response = client.post(
        "/me/edit/", {"display_name": "Ana", "skills": ", ".join(f"s{n}" for n in range(31))}
    )
    assert response.status_code == 400
    skills_field = response.content.decode().split('for="profile-skills"', 1)[1].split('class="field"', 1)[0]
    assert "Ensure this field has no more than 30 elements." in skills_field


def test_editing_needs_the_csrf_token(ana):
    client = signed_in(Client(enforce_csrf_checks=True), ana)
    assert client.post("/me/edit/", {"display_name": "Hacked"}).status_code == 403
    ana.refresh_from_db()
    assert ana.display_name == "Ana Silva"


# --- My photo -------------------------------------------------------------------------------


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_ana_uploads_a_photo_and_removes_it(client, ana, media_root, committed):
    signed_in(client, ana)
    png = upload(image_bytes("PNG", size=(300, 200)), "me.png", "image/png")
    with committed():
        response = client.post("/me/avatar/", {"image": png})
    assert (response.status_code, response["Location"]) == (302, "/me/edit/")
    ana.refresh_from_db()
    assert ana.avatar.name.startswith("avatars/") and ana.avatar.name.endswith(".webp")
    assert len(stored_files(media_root)) == 1
    html = html_of(client.get("/me/edit/"))
    assert "Your new photo is in place." in html
    assert f'src="{ana.avatar.url}"' in html and "Remove photo" in html

    with committed():
        response = client.post("/me/avatar/", {"remove": "1"})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert not ana.avatar
    assert stored_files(media_root) == []


def test_a_file_that_is_not_an_image_is_refused_with_a_message_and_nothing_stored(client, ana, media_root):
    signed_in(client, ana)
    fake = upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>" * 10, "me.png", "image/png")
    response = client.post("/me/avatar/", {"image": fake})
    assert response.status_code == 415
    assert "That file is not a picture we can use." in response.content.decode()
    ana.refresh_from_db()
    assert not ana.avatar
    assert stored_files(media_root) == []


def test_a_broken_image_is_refused_with_a_message(client, ana, media_root):
    signed_in(client, ana)
    broken = upload(image_bytes("PNG")[:200], "me.png", "image/png")
    response = client.post("/me/avatar/", {"image": broken})
    assert response.status_code == 400
    assert "That picture could not be used" in response.content.decode()
    assert stored_files(media_root) == []


def test_uploading_without_a_file_asks_for_one(client, ana):
    response = signed_in(client, ana).post("/me/avatar/", {})
    assert response.status_code == 400
    assert "Choose an image to upload." in response.content.decode()
