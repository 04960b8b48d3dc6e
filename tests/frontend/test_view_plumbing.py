"""What every page shares is decided once, in ``frontend/views/common.py``: whether htmx asked
for a part of the page, where a ``next`` address may send a person, how an error reaches a
form. View modules import that module and the apps' services and selectors, never each other.
"""

import ast
from pathlib import Path

import pytest

from feed import services as feed_services
from frontend.views.common import error_text, form_errors
from socialblue.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db

VIEWS = Path(__file__).resolve().parents[2] / "frontend" / "views"


@pytest.fixture(autouse=True)
def _feed_state(fresh_timelines, eager_tasks):
    """Posts fan out inline, into timelines no other test left behind."""


def imported_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_view_modules_import_common_and_never_each_other():
    siblings = {path.stem for path in VIEWS.glob("*.py")} - {"__init__", "common"}
    borrowed = {
        path.name: name
        for path in VIEWS.glob("*.py")
        for name in imported_modules(path)
        if name.startswith("frontend.views.") and name.split(".")[2] in siblings
    }

    assert siblings and borrowed == {}


def test_a_secure_page_never_sends_a_person_on_to_plain_http(client, ana):
    post = feed_services.post_create(author=ana, body="Release day")
    client.force_login(ana.user)
    reaction = f"/posts/{post.pk}/reaction/"

    downgraded = client.post(reaction, {"action": "like", "next": "http://testserver/people/"}, secure=True)
    secure = client.post(reaction, {"action": "unlike", "next": "https://testserver/people/"}, secure=True)
    elsewhere = client.post(reaction, {"action": "like", "next": "https://evil.example/"}, secure=True)

    assert downgraded["Location"] == f"/posts/{post.pk}/"
    assert secure["Location"] == "https://testserver/people/"
    assert elsewhere["Location"] == f"/posts/{post.pk}/"


def test_a_boosted_request_gets_the_whole_page_and_htmx_gets_the_part(client, ana):
    client.force_login(ana.user)

    part = client.get("/notifications/", HTTP_HX_REQUEST="true").content.decode()
    boosted = client.get("/notifications/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true").content.decode()
    restored = client.get(
        "/notifications/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()

    assert "<html" not in part
    assert "<html" in boosted and "<html" in restored


def test_errors_reach_a_form_by_field_and_the_rest_under_form():
    service = Invalid({"title": ["An album needs a title."], "detail": "Try again."})
    bad_link = ["Enter a valid URL."]
    serializer = {"links": {0: bad_link, 2: bad_link}, "non_field_errors": ["No."]}

    assert form_errors(service) == {"title": ["An album needs a title."], "form": ["Try again."]}
    assert form_errors(serializer) == {"links": ["Enter a valid URL."], "form": ["No."]}
    assert form_errors(Conflict("Already connected.")) == {"form": ["Already connected."]}
    assert error_text(service) == "An album needs a title. Try again."
