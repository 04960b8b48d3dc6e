"""The exit kit: anyone (not only an alumnus) asks for an archive of what they wrote and may
still see, watches it being built, and downloads it through a link that works for them only,
for a while.

Ana, an engineer, has posts of every visibility, comments, connections and an album of
photos; her manager Marco has his own posts and album, which are not hers to take. Olu, an
alumnus, wrote to the company while he worked here: those posts stay inside the company,
also in his archive. An archive belongs to the status it was built under: when Ana leaves
(or Olu is rehired), HR's decision ends it. Builds run for real (eager Celery tasks) once the
request commits.
"""

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from alumni import tasks as alumni_tasks
from alumni.models import EmploymentEvent
from exports import links, services, tasks
from exports.models import DataExport
from feed import services as feed_services
from photos.models import Photo
from profiles.models import Profile, ProfileStatus
from socialblue.celery import app as celery_app
from tests.feed.stories import connect, post
from tests.photos.stories import album_with_photos, media, stored_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

EXPORT = "/api/v1/me/export/"
OFFBOARD = "/api/v1/alumni/offboard/"
REHIRE = "/api/v1/alumni/rehire/"


# --- Verbs of these stories -----------------------------------------------------------------


def ask_for_export(client, committed) -> dict:
    """POST me/export/ and let the build run, as it does once the request commits; the answer
    to the POST (given before the build)."""
    with committed():
        response = client.post(EXPORT)
    assert response.status_code == 202, response.content
    return response.json()


def latest_export(client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200, response.content
    return response.json()


def download(client, url: str):
    return media(client, url)


def archive_of(client, committed) -> zipfile.ZipFile:
    """Ask for an export, wait for it, download it: the archive, opened."""
    ask_for_export(client, committed)
    export = latest_export(client)
    assert export["status"] == "ready", export
    response = download(client, export["download_url"])
    assert response.status_code == 200, response.content
    return zipfile.ZipFile(io.BytesIO(response.body))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def stored_archive(export_id: int) -> str:
    return DataExport.objects.get(pk=export_id).file


def with_signature(url: str, signature: str) -> str:
    return url.split("?", 1)[0] + "?signature=" + signature


def was_employee_once(person: Profile) -> None:
    """Back to the days the person worked here (before :func:`leaves`)."""
    Profile.objects.filter(pk=person.pk).update(status=ProfileStatus.EMPLOYEE)
    person.status = ProfileStatus.EMPLOYEE


def leaves(person: Profile) -> None:
    """The person becomes an alumnus (the status is all the audience rule reads)."""
    Profile.objects.filter(pk=person.pk).update(status=ProfileStatus.ALUMNUS)
    person.status = ProfileStatus.ALUMNUS


def hr_offboards(hr_client, committed, person: Profile, *, leave_date=None) -> None:
    """HR offboards the person through the API (today, unless told), and it commits."""
    body = {
        "username": person.user.username,
        "leave_date": str(leave_date or timezone.localdate()),
        "personal_email": f"{person.user.username}@home.example",
    }
    with committed():
        response = hr_client.post(OFFBOARD, body, format="json")
    assert response.status_code == 200, response.content


def hr_rehires(hr_client, committed, person: Profile) -> None:
    with committed():
        response = hr_client.post(REHIRE, {"username": person.user.username}, format="json")
    assert response.status_code == 200, response.content


def assert_archive_gone(client, export: dict, stored: str) -> None:
    """The archive's link is a 410, its file is deleted, and no new link is handed out."""
    response = download(client, export["download_url"])
    assert response.status_code == 410
    assert "expired" in response.json()["detail"]
    assert not default_storage.exists(stored)
    shown = latest_export(client)
    assert shown["id"] == export["id"]
    assert shown["status"] == "expired"
    assert shown["download_url"] is None


@pytest.fixture
def anas_world(ana, marco, priya, client_for, committed):
    """Ana's posts, comments, connections and album, and what others wrote around them."""
    with committed():
        connect(ana, marco)
        connect(priya, ana)
    world = {
        "company": post(ana, "Shipping the new search today", "company"),
        "network": post(ana, "Hiring: backend engineers", "network"),
        "connections": post(ana, "Team lunch photos are up", "connections"),
        "marcos": post(marco, "Quarterly planning notes", "company"),
    }
    world["comment"] = feed_services.comment_create(post=world["marcos"], author=ana, body="Looks good!")
    world["marcos_comment"] = feed_services.comment_create(
        post=world["company"], author=marco, body="Great work"
    )
    world["album"], world["photos"] = album_with_photos(client_for(ana), committed, title="Offsite")
    world["marcos_album"], _ = album_with_photos(client_for(marco), committed, count=1, title="Marco's")
    world["with_photo"] = feed_services.post_create(
        author=ana, body="Day one", attachments={"photos": [world["photos"][0]["id"]]}
    )
    return world


# --- Asking, watching, downloading ----------------------------------------------------------


def test_asking_for_an_export_answers_202_and_it_becomes_ready(ana, client_for, committed):
    client = client_for(ana)

    asked = ask_for_export(client, committed)

    assert asked["status"] == "pending"
    assert asked["progress"] == 0
    assert asked["download_url"] is None
    ready = latest_export(client)
    assert ready["id"] == asked["id"]
    assert ready["status"] == "ready"
    assert ready["progress"] == 100
    assert ready["size"] > 0
    assert ready["finished_at"] is not None
    expires_at = DataExport.objects.get(pk=ready["id"]).expires_at
    assert expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert ready["download_url"].startswith("http://testserver/api/v1/me/export/")


def test_no_export_yet_is_a_json_404(ana, client_for):
    response = client_for(ana).get(EXPORT)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_progress_is_shown_while_the_archive_is_built(anas_world, ana, client_for, committed):
    client = client_for(ana)
    seen = []
    real_open = default_storage.open

    def open_and_look(name, mode="rb"):
        # Each photo copied into the archive: what would the person see right now?
        if name.startswith("photos/"):
            export = latest_export(client)
            seen.append((export["status"], export["progress"]))
        return real_open(name, mode)

    with mock.patch.object(default_storage, "open", side_effect=open_and_look):
        ask_for_export(client, committed)

    assert [status for status, _ in seen] == ["running", "running"]
    percents = [progress for _, progress in seen]
    assert percents == sorted(percents)
    assert 0 < percents[-1] < 100
    assert latest_export(client)["progress"] == 100


def test_a_second_request_while_one_is_on_its_way_returns_the_same_export(ana, client_for):
    client = client_for(ana)
    first = client.post(EXPORT)  # not committed: the build has not started

    second = client.post(EXPORT)

    assert second.status_code == 202
    assert second.json()["id"] == first.json()["id"]
    assert DataExport.objects.filter(profile=ana).count() == 1


def test_a_new_export_soon_after_the_last_one_is_refused_with_retry_after(ana, client_for, committed):
    client = client_for(ana)
    ask_for_export(client, committed)

    response = client.post(EXPORT)

    assert response.status_code == 429
    assert response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 600


def test_a_new_export_may_start_once_export_min_interval_seconds_have_passed(ana, client_for, committed):
    first = ask_for_export(client_for(ana), committed)
    later = timezone.now() + timedelta(seconds=601)

    with committed():
        again = services.export_request(profile=ana, now=later)

    assert again.pk != first["id"]
    assert latest_export(client_for(ana))["status"] == "ready"


def test_an_export_lost_on_its_way_does_not_block_the_person(ana, client_for, committed):
    client = client_for(ana)
    lost = client.post(EXPORT).json()  # its task never ran
    DataExport.objects.filter(pk=lost["id"]).update(created_at=timezone.now() - timedelta(hours=2))

    again = ask_for_export(client, committed)

    assert again["id"] != lost["id"]
    assert DataExport.objects.get(pk=lost["id"]).status == DataExport.Status.FAILED
    assert latest_export(client)["status"] == "ready"


def test_asking_or_downloading_without_signing_in_is_401(ana, client_for, committed, anon):
    ask_for_export(client_for(ana), committed)
    url = latest_export(client_for(ana))["download_url"]

    assert anon.get(EXPORT).status_code == 401
    assert anon.post(EXPORT).status_code == 401
    assert anon.get(url).status_code == 401


# --- What the archive holds -----------------------------------------------------------------


def test_the_manifest_counts_and_hashes_every_file(anas_world, ana, client_for, committed):
    archive = archive_of(client_for(ana), committed)

    manifest = read_json(archive, "manifest.json")
    assert manifest["format_version"] == 1
    assert manifest["person"]["username"] == "ana"
    assert manifest["generated_at"]
    assert manifest["counts"] == {"posts": 4, "comments": 1, "connections": 2, "albums": 1, "photos": 2}
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for name, entry in listed.items():
        data = archive.read(name)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["size"] == len(data), name


def test_posts_are_the_persons_own_and_comments_their_own(anas_world, ana, client_for, committed):
    archive = archive_of(client_for(ana), committed)

    posts = read_json(archive, "posts.json")
    assert [p["id"] for p in posts] == [
        anas_world[k].pk for k in ("company", "network", "connections", "with_photo")
    ]
    assert {p["visibility"] for p in posts} == {"company", "network", "connections"}
    assert posts[0]["body"] == "Shipping the new search today"
    photo_id = anas_world["photos"][0]["id"]
    assert posts[-1]["photos"] == [f"photos/{anas_world['album']['id']}-{photo_id}.jpg"]
    assert posts[-1]["photos"][0] in archive.namelist()
    comments = read_json(archive, "comments.json")
    assert [(c["id"], c["post_id"], c["body"]) for c in comments] == [
        (anas_world["comment"].pk, anas_world["marcos"].pk, "Looks good!")
    ]


def test_connections_are_listed_with_the_day_they_connected(anas_world, ana, client_for, committed):
    archive = archive_of(client_for(ana), committed)

    connections = read_json(archive, "connections.json")
    assert sorted((c["username"], c["display_name"]) for c in connections) == [
        ("marco", "Marco Rossi"),
        ("priya", "Priya Nair"),
    ]
    assert all(c["since"] for c in connections)


def test_photo_originals_are_the_stored_bytes(anas_world, ana, client_for, committed):
    archive = archive_of(client_for(ana), committed)

    album_id = anas_world["album"]["id"]
    for shown in anas_world["photos"]:
        photo = Photo.objects.get(pk=shown["id"])
        assert archive.read(f"photos/{album_id}-{photo.pk}.jpg") == stored_bytes(photo.original)
    [album] = read_json(archive, "albums.json")
    assert album["id"] == album_id
    assert album["title"] == "Offsite"
    assert [p["file"] for p in album["photos"]] == [
        f"photos/{album_id}-{p['id']}.jpg" for p in anas_world["photos"]
    ]
    marcos_album_id = anas_world["marcos_album"]["id"]
    assert not [name for name in archive.namelist() if name.startswith(f"photos/{marcos_album_id}-")]


def test_an_alumnus_archive_leaves_out_his_former_company_content(olu, ana, client_for, committed):
    was_employee_once(olu)
    company = post(olu, "Incident review: the outage of March", "company")
    network = post(olu, "Proud of what we built", "network")
    feed_services.comment_create(post=post(ana, "Internal launch", "company"), author=olu, body="Congrats")
    album_with_photos(client_for(olu), committed, count=1, title="Company party", visibility="company")
    leaves(olu)

    archive = archive_of(client_for(olu), committed)

    assert [p["id"] for p in read_json(archive, "posts.json")] == [network.pk]
    assert company.pk not in {p["id"] for p in read_json(archive, "posts.json")}
    assert read_json(archive, "comments.json") == []
    assert read_json(archive, "albums.json") == []
    assert not [name for name in archive.namelist() if name.startswith("photos/")]
    assert read_json(archive, "manifest.json")["person"]["status"] == "alumnus"


# --- The download link ----------------------------------------------------------------------


def test_the_owner_downloads_the_archive_as_a_private_zip(ana, client_for, committed):
    client = client_for(ana)
    ask_for_export(client, committed)
    export = latest_export(client)

    response = download(client, export["download_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.body == stored_bytes(stored_archive(export["id"]))


def test_someone_else_with_the_link_gets_404(ana, priya, client_for, committed):
    ask_for_export(client_for(ana), committed)
    url = latest_export(client_for(ana))["download_url"]

    response = download(client_for(priya), url)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_forged_signature_is_404(ana, client_for, committed):
    client = client_for(ana)
    ask_for_export(client, committed)
    url = latest_export(client)["download_url"]

    assert download(client, with_signature(url, "1abc:forged")).status_code == 404
    assert download(client, url.split("?", 1)[0]).status_code == 404


def test_an_expired_link_is_410_with_a_clear_detail(ana, client_for, committed):
    client = client_for(ana)
    ask_for_export(client, committed)
    export = DataExport.objects.get(profile=ana)
    url = latest_export(client)["download_url"]
    old = links.export_link_signature(export=export, now=timezone.now() - timedelta(seconds=3601))

    response = download(client, with_signature(url, old))

    assert response.status_code == 410
    assert "expired" in response.json()["detail"]
    assert parse_qs(urlsplit(url).query)["signature"] != [old]


def test_a_link_works_for_export_link_seconds(settings, ana, client_for, committed):
    settings.EXPORT_LINK_SECONDS = 60
    client = client_for(ana)
    ask_for_export(client, committed)
    export = DataExport.objects.get(profile=ana)
    url = latest_export(client)["download_url"]

    def handed_out(seconds_ago: int) -> str:
        signed = timezone.now() - timedelta(seconds=seconds_ago)
        return with_signature(url, links.export_link_signature(export=export, now=signed))

    assert download(client, handed_out(55)).status_code == 200
    assert download(client, handed_out(65)).status_code == 410


# --- Archives end -----------------------------------------------------------------------------


def test_an_expired_archive_is_deleted_by_the_periodic_task(ana, client_for, committed):
    client = client_for(ana)
    ask_for_export(client, committed)
    url = latest_export(client)["download_url"]
    export = DataExport.objects.get(profile=ana)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert tasks.expire_exports() == 1

    assert not default_storage.exists(export.file)
    assert stored_archive(export.pk) == ""
    shown = latest_export(client)
    assert shown["status"] == "expired"
    assert shown["download_url"] is None
    assert download(client, url).status_code == 410
    assert tasks.expire_exports() == 0


def test_a_new_archive_replaces_the_previous_one(settings, ana, client_for, committed):
    settings.EXPORT_MIN_INTERVAL_SECONDS = 0
    client = client_for(ana)
    first = ask_for_export(client, committed)
    first_file = stored_archive(first["id"])
    first_url = latest_export(client)["download_url"]

    second = ask_for_export(client, committed)

    assert second["id"] != first["id"]
    assert not default_storage.exists(first_file)
    assert default_storage.exists(stored_archive(second["id"]))
    assert download(client, first_url).status_code == 410
    assert download(client, latest_export(client)["download_url"]).status_code == 200


def test_building_twice_changes_nothing(ana, client_for, committed):
    client = client_for(ana)
    asked = ask_for_export(client, committed)
    before = DataExport.objects.get(pk=asked["id"])

    tasks.build_export.delay(asked["id"])  # delivered again

    after = DataExport.objects.get(pk=asked["id"])
    assert (after.status, after.file, after.size, after.finished_at) == (
        before.status,
        before.file,
        before.size,
        before.finished_at,
    )
    assert default_storage.exists(after.file)


def test_a_build_that_cannot_read_a_photo_fails_with_a_reason(anas_world, ana, client_for, committed):
    client = client_for(ana)
    lost = Photo.objects.get(pk=anas_world["photos"][1]["id"])
    default_storage.delete(lost.original)

    ask_for_export(client, committed)

    shown = latest_export(client)
    assert shown["status"] == "failed"
    assert f"photo {lost.pk}" in shown["error"]
    assert shown["download_url"] is None
    assert stored_archive(shown["id"]) == ""
    assert not default_storage.exists("exports") or default_storage.listdir("exports") == ([], [])


# --- An archive belongs to the status it was built under --------------------------------------


def test_ana_leaves_and_the_archive_she_built_as_an_employee_is_gone(
    anas_world, ana, hana, client_for, committed
):
    client = client_for(ana)
    ask_for_export(client, committed)
    export = latest_export(client)
    stored = stored_archive(export["id"])
    assert download(client, export["download_url"]).status_code == 200

    hr_offboards(client_for(hana), committed, ana)

    assert_archive_gone(client, export, stored)


def test_after_leaving_ana_exports_again_without_company_content(
    settings, anas_world, ana, hana, client_for, committed
):
    settings.EXPORT_MIN_INTERVAL_SECONDS = 0
    client = client_for(ana)
    ask_for_export(client, committed)
    hr_offboards(client_for(hana), committed, ana)

    archive = archive_of(client, committed)

    posts = read_json(archive, "posts.json")
    assert [p["id"] for p in posts] == [anas_world["network"].pk, anas_world["connections"].pk]
    assert {p["visibility"] for p in posts} == {"network", "connections"}
    assert read_json(archive, "comments.json") == []  # on Marco's company post
    assert read_json(archive, "albums.json") == []  # the Offsite album is the company's
    assert not [name for name in archive.namelist() if name.startswith("photos/")]
    assert read_json(archive, "manifest.json")["person"]["status"] == "alumnus"


def test_a_leave_applied_on_its_day_ends_the_archive(ana, hana, client_for, committed):
    client = client_for(ana)
    hr_offboards(client_for(hana), committed, ana, leave_date=timezone.localdate() + timedelta(days=3))
    ask_for_export(client, committed)
    export = latest_export(client)
    stored = stored_archive(export["id"])
    assert download(client, export["download_url"]).status_code == 200  # still an employee

    EmploymentEvent.objects.filter(profile=ana).update(effective_on=timezone.localdate())
    with committed():
        assert alumni_tasks.apply_due_leaves.delay().get() == 1

    assert_archive_gone(client, export, stored)


def test_olu_is_rehired_and_the_archive_he_built_as_an_alumnus_is_gone(olu, hana, client_for, committed):
    client = client_for(olu)
    ask_for_export(client, committed)
    export = latest_export(client)
    stored = stored_archive(export["id"])

    hr_rehires(client_for(hana), committed, olu)

    assert_archive_gone(client, export, stored)


def test_a_link_opens_only_under_the_status_the_archive_was_built_under(ana, client_for, committed):
    # Even should the status change reach no one (a script writing the row, a revocation
    # that failed), opening the link checks it again, and the clean-up deletes the file.
    client = client_for(ana)
    ask_for_export(client, committed)
    export = latest_export(client)
    stored = stored_archive(export["id"])
    leaves(ana)

    response = download(client, export["download_url"])

    assert response.status_code == 410
    assert "expired" in response.json()["detail"]
    assert latest_export(client)["download_url"] is None
    assert tasks.expire_exports() == 1
    assert not default_storage.exists(stored)


def test_a_build_running_while_ana_leaves_never_opens(anas_world, ana, hana, client_for, committed):
    client = client_for(ana)
    real_open = default_storage.open
    left = []

    def leave_midway(name, mode="rb"):
        # The build is copying her photos when HR's decision is made (what follows its
        # commit runs once the build's own turn is over).
        if name.startswith("photos/") and not left:
            body = {
                "username": "ana",
                "leave_date": str(timezone.localdate()),
                "personal_email": "a@home.example",
            }
            assert client_for(hana).post(OFFBOARD, body, format="json").status_code == 200
            left.append(name)
        return real_open(name, mode)

    with mock.patch.object(default_storage, "open", side_effect=leave_midway):
        asked = ask_for_export(client, committed)

    assert left
    shown = latest_export(client)
    assert shown["id"] == asked["id"]
    assert shown["status"] == "failed"
    assert "status changed" in shown["error"]
    assert shown["download_url"] is None
    export = DataExport.objects.get(pk=asked["id"])
    signed = f"{EXPORT}{export.pk}/download/?signature={links.export_link_signature(export=export)}"
    assert download(client, signed).status_code == 404
    assert stored_archive(export.pk) == ""
    assert default_storage.listdir("exports") == ([], [])


# --- Tasks queued before the exit kit moved out of the alumni app ------------------------------


def test_a_build_queued_under_its_old_name_still_runs(ana, client_for):
    client = client_for(ana)
    asked = client.post(EXPORT).json()  # not committed: its build was never sent

    celery_app.tasks["alumni.tasks.build_export"].delay(asked["id"])

    assert latest_export(client)["status"] == "ready"


@pytest.mark.parametrize("name", ["exports.tasks.build_export", "alumni.tasks.build_export"])
def test_builds_wait_with_the_image_work_whatever_name_they_were_queued_under(name):
    assert celery_app.amqp.router.route({}, name)["queue"].name == "media"


def test_the_hourly_clean_up_runs_under_both_names(settings):
    assert settings.CELERY_BEAT_SCHEDULE["expire-exports"]["task"] == "exports.tasks.expire_exports"
    assert {"exports.tasks.expire_exports", "alumni.tasks.expire_exports"} <= set(celery_app.tasks)
