"""Profiles as people see them: internal fields for employees only, editing one's own."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

INTERNAL = {"department", "office", "manager", "work_email", "work_phone", "hire_date"}


def test_employees_see_internal_fields(ana, priya, client_for):
    profile = client_for(priya).get("/api/v1/profiles/ana/").json()
    assert set(profile["internal"]) == INTERNAL
    assert profile["internal"]["department"]["slug"] == "platform"
    assert profile["internal"]["manager"]["username"] == "marco"
    assert profile["internal"]["office"]["country"] == "PT"
    assert profile["internal"]["work_email"] == "ana@company.example"


def test_alumni_do_not_see_internal_fields_anywhere(ana, olu, client_for):
    client = client_for(olu)
    assert client.get("/api/v1/profiles/ana/").json()["internal"] is None
    assert all(p["internal"] is None for p in client.get("/api/v1/profiles/").json()["results"])
    assert client.get("/api/v1/me/").json()["internal"] is None
    body = client.get("/api/v1/profiles/ana/").content.decode()
    assert "ana@company.example" not in body and "+351" not in body


def test_a_profile_shows_public_fields_and_counts(ana, priya, client_for):
    profile = client_for(priya).get("/api/v1/profiles/ana/").json()
    assert profile["display_name"] == "Ana Silva"
    assert profile["headline"] == "Senior Backend Engineer"
    assert profile["skills"] == ["PostgreSQL", "Python"]
    assert profile["status"] == "employee"
    assert profile["follower_count"] == 0
    assert profile["is_following"] is False
    assert profile["connection"] == "none"


def test_an_unknown_person_is_404_json(ana, client_for):
    response = client_for(ana).get("/api/v1/profiles/nobody/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_i_edit_my_own_profile(ana, client_for):
    response = client_for(ana).patch(
        "/api/v1/me/",
        {
            "display_name": "Ana M. Silva",
            "headline": "Staff Engineer",
            "bio": "Databases, queues, and bread.",
            "pronouns": "she/her",
            "location": "Porto, Portugal",
            "skills": ["Python", "python", "Redis", " Celery "],
        },
        format="json",
    )
    assert response.status_code == 200
    me = response.json()
    assert me["display_name"] == "Ana M. Silva"
    assert me["skills"] == ["Celery", "Python", "Redis"]
    assert me["location"] == "Porto, Portugal"
    ana.refresh_from_db()
    assert "staff engineer" in ana.search_text and "redis" in ana.search_text


def test_bad_profile_edits_are_field_errors_and_change_nothing(ana, client_for):
    client = client_for(ana)
    too_long = client.patch("/api/v1/me/", {"headline": "x" * 500, "bio": "new"}, format="json")
    assert too_long.status_code == 400
    assert "headline" in too_long.json()
    assert client.patch("/api/v1/me/", {"display_name": "   "}, format="json").status_code == 400
    assert client.patch("/api/v1/me/", {"skills": "not a list"}, format="json").status_code == 400
    ana.refresh_from_db()
    assert ana.bio == "" and ana.display_name == "Ana Silva"


def test_people_cannot_edit_internal_fields_themselves(ana, client_for, marketing):
    client_for(ana).patch("/api/v1/me/", {"department": marketing.pk, "status": "alumnus"}, format="json")
    ana.refresh_from_db()
    assert ana.department.slug == "platform"
    assert ana.status == "employee"


def test_me_shows_hr_role(hana, ana, client_for):
    assert client_for(hana).get("/api/v1/me/").json()["is_hr"] is True
    assert client_for(ana).get("/api/v1/me/").json()["is_hr"] is False


def test_admins_manage_everything_in_the_admin(db, ana):
    admin_user = get_user_model().objects.create_superuser("root", "root@company.example", "pw-123456789")
    from django.test import Client

    browser = Client()
    browser.force_login(admin_user)
    for path in (
        "/admin/profiles/profile/",
        f"/admin/profiles/profile/{ana.pk}/change/",
        "/admin/profiles/department/",
        "/admin/profiles/office/",
        "/admin/profiles/skill/",
        "/admin/profiles/follow/",
        "/admin/profiles/connection/",
        "/admin/profiles/connectionrequest/",
        "/admin/profiles/devicetoken/",
    ):
        assert browser.get(path).status_code == 200, path


def test_activity_is_recorded(ana, client_for):
    assert ana.last_active_at is None
    client_for(ana).get("/api/v1/me/")
    ana.refresh_from_db()
    assert ana.last_active_at is not None


# --- Skills: one key for each, whoever writes it and whoever looks it up ---------------------


def test_skills_that_differ_by_a_symbol_are_different_skills(ana, priya, client_for):
    client = client_for(ana)
    client.patch("/api/v1/me/", {"skills": ["C", "C++", "Node.js"]}, format="json")
    client_for(priya).patch("/api/v1/me/", {"skills": ["C#", "node js", "UX/UI"]}, format="json")

    assert client_for(priya).get("/api/v1/me/").json()["skills"] == ["C#", "Node.js", "UX/UI"]
    for skill, who in [
        ("C", ["ana"]),
        ("C++", ["ana"]),
        ("c-plus-plus", ["ana"]),
        ("C#", ["priya"]),
        ("Node.js", ["ana", "priya"]),
        ("nodejs", []),
        ("UX/UI", ["priya"]),
        ("ux ui", ["priya"]),
    ]:
        found = client.get("/api/v1/profiles/", {"skill": skill}).json()["results"]
        assert sorted(p["username"] for p in found) == who, skill


def test_a_skill_in_any_script_is_kept_and_found(ana, client_for):
    client = client_for(ana)
    me = client.patch("/api/v1/me/", {"skills": ["日本語", "Ελληνικά", "हिन्दी", "Français"]}, format="json")
    assert sorted(me.json()["skills"]) == sorted(["日本語", "Ελληνικά", "हिन्दी", "Français"])
    for skill in ["日本語", "ελληνικά", "हिन्दी", "francais"]:
        found = client.get("/api/v1/profiles/", {"skill": skill}).json()["results"]
        assert [p["username"] for p in found] == ["ana"], skill


def test_the_admin_keys_a_skill_as_the_profiles_do(db, ana):
    from django.test import Client

    from profiles.models import Skill

    admin_user = get_user_model().objects.create_superuser("root", "root@company.example", "pw-123456789")
    browser = Client()
    browser.force_login(admin_user)
    assert browser.post("/admin/profiles/skill/add/", {"name": "Node.js"}).status_code == 302
    again = browser.post("/admin/profiles/skill/add/", {"name": "node JS"})
    assert again.status_code == 200 and "There is a skill of that name already." in again.content.decode()
    assert list(Skill.objects.filter(name__icontains="node").values_list("slug", flat=True)) == ["node-js"]


def test_stored_skills_are_keyed_again_and_those_that_meet_are_merged(ana, priya, marco):
    """Skills keyed by the old rule (Django's slugify) get the new key; the migration that does
    it merges skills that now share one, keeping everyone's."""
    import importlib

    from django.apps import apps

    from profiles.models import Skill

    rekey_skills = importlib.import_module("profiles.migrations.0005_skill_slugs").rekey_skills
    Skill.objects.all().delete()
    old = {
        name: Skill.objects.create(name=name, slug=slug)
        for name, slug in [
            ("Node.js", "nodejs"),
            ("node-js", "node-js"),
            ("C++", "c"),
            ("UX/UI", "uxui"),
            ("Go", "go"),
        ]
    }
    ana.skills.set([old["Node.js"], old["C++"], old["Go"]])
    priya.skills.set([old["node-js"], old["UX/UI"]])
    marco.skills.set([old["Node.js"], old["node-js"]])

    rekey_skills(apps, None)

    assert dict(Skill.objects.values_list("slug", "name")) == {
        "node-js": "node-js",
        "c-plus-plus": "C++",
        "ux-ui": "UX/UI",
        "go": "Go",
    }
    assert {p.user.username: sorted(s.slug for s in p.skills.all()) for p in (ana, priya, marco)} == {
        "ana": ["c-plus-plus", "go", "node-js"],
        "priya": ["node-js", "ux-ui"],
        "marco": ["node-js"],
    }
