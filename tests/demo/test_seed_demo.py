"""``manage.py seed_demo`` builds a believable demo company that people can sign in to."""

import itertools
import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from alumni.models import AlumniProfile, EmploymentPeriod
from alumni.selectors import alumni_directory, former_colleagues
from feed.models import Activity
from photos.models import Album, Photo, PhotoBatch
from photos.services import ADDED_PHOTOS
from profiles.models import (
    Connection,
    ConnectionRequest,
    Department,
    Follow,
    Office,
    Profile,
    ProfileStatus,
    Skill,
    Visibility,
    skill_slug,
)
from profiles.selectors import profile_search
from socialblue.celery import app as celery_app

pytestmark = pytest.mark.django_db

EMPLOYEES = 60
# The cast's five albums and one more. Every photo goes through the real pipeline (about a tenth
# of a second each), so only the album tests ask for albums.
ALBUMS = 6


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(**options) -> str:
    out = StringIO()
    options.setdefault("albums", 0)
    call_command("seed_demo", employees=EMPLOYEES, stdout=out, **options)
    return out.getvalue()


def sign_ins(output: str) -> tuple[str, dict[str, str]]:
    """The shared password and the username of each role, read from the printed table."""
    password = re.search(r"password is: (\S+)\)", output).group(1)
    table = output.split("Demo sign-ins", 1)[1].splitlines()[3:]
    roles = dict(re.split(r"\s{2,}", line.strip())[:2] for line in table if line.strip())
    return password, roles


def graph_by_username() -> tuple[list[str], set[tuple[str, str]], set[tuple[str, str]]]:
    usernames = sorted(get_user_model().objects.values_list("username", flat=True))
    connections = set(Connection.objects.values_list("profile__user__username", "other__user__username"))
    follows = set(Follow.objects.values_list("follower__user__username", "followee__user__username"))
    return usernames, connections, follows


def history_by_username() -> tuple[list[tuple], list[tuple]]:
    periods = EmploymentPeriod.objects.values_list(
        "profile__user__username", "start", "end", "department__slug", "title", "manager__user__username"
    )
    alumni = AlumniProfile.objects.values_list(
        "profile__user__username",
        "profile__personal_email",
        "current_company",
        "current_title",
        "links",
        "listed",
        "open_to_rehire",
        "left_on",
        "former_department__slug",
    )
    return sorted(periods), sorted(alumni, key=lambda row: row[0])


def people(roles: dict[str, str], status: str):
    """The profiles of one status, without the accounts that are not people."""
    accounts = (roles["admin"], roles["company news"])
    return Profile.objects.filter(status=status).exclude(user__username__in=accounts)


@pytest.fixture
def company() -> str:
    return seed(avatars=10)


def test_departments_form_a_tree_of_at_least_two_levels(company):
    departments = list(Department.objects.all())
    assert len(departments) >= 8
    roots = [d for d in departments if d.parent_id is None]
    assert roots
    for department in departments:
        expected = (department.parent.path if department.parent else "/") + f"{department.pk}/"
        assert department.path == expected
    assert max(d.path.count("/") - 1 for d in departments) >= 2


def test_offices_are_in_at_least_three_countries(company):
    assert Office.objects.values("country").distinct().count() >= 3
    assert Profile.objects.filter(office__isnull=False).values("office__country").distinct().count() >= 3


def test_everyone_has_a_profile_with_name_title_and_search_text(company):
    assert Profile.objects.count() == get_user_model().objects.count() >= EMPLOYEES
    for profile in Profile.objects.select_related("user").prefetch_related("skills"):
        assert profile.display_name
        assert profile.headline
        assert profile.user.email == f"{profile.user.username}@socialblue.example"
        assert re.fullmatch(r"[a-z0-9.\-]+", profile.user.username)
        # The same words as the model builds; skills may come in another order.
        assert sorted(profile.search_text.split()) == sorted(profile.build_search_text().split())


def test_employees_have_skills_hire_dates_and_work_phones(company):
    _password, roles = sign_ins(company)
    people = Profile.objects.filter(status=ProfileStatus.EMPLOYEE, department__isnull=False).exclude(
        user__username=roles["company news"]
    )
    assert people.count() >= EMPLOYEES * 0.9
    assert not people.filter(skills__isnull=True).exists()
    assert not people.filter(hire_date__isnull=True).exists()
    assert not people.filter(work_phone="").exists()


def test_the_directory_finds_the_demos_people_by_each_of_their_skills(company):
    # The demo writes skills itself (in bulk); they are keyed as the profiles key them.
    assert all(skill.slug == skill_slug(skill.name) for skill in Skill.objects.all())
    for skill in Skill.objects.filter(profiles__isnull=False).distinct():
        person = skill.profiles.first()
        assert profile_search(viewer=person, skill=skill.name).filter(pk=person.pk).exists(), skill.name


def test_managers_are_in_the_same_department_or_above(company):
    _password, roles = sign_ins(company)
    managed = Profile.objects.filter(manager__isnull=False).select_related(
        "department", "manager__department"
    )
    assert managed.count() > EMPLOYEES // 2
    for profile in managed:
        assert profile.department.path.startswith(profile.manager.department.path)
        assert profile.manager.status == ProfileStatus.EMPLOYEE
    unmanaged = Profile.objects.filter(status=ProfileStatus.EMPLOYEE, manager__isnull=True)
    assert set(unmanaged.values_list("user__username", flat=True)) == {
        roles["admin"],
        roles["CEO"],
        roles["company news"],
    }


def test_everyone_is_connected_with_their_manager(company):
    pairs = set(Connection.objects.values_list("profile_id", "other_id"))
    for profile_id, manager_id in Profile.objects.filter(manager__isnull=False).values_list(
        "pk", "manager_id"
    ):
        assert (profile_id, manager_id) in pairs


def test_each_connection_is_two_rows_and_mutual_follows(company):
    pairs = set(Connection.objects.values_list("profile_id", "other_id"))
    follows = set(Follow.objects.values_list("follower_id", "followee_id"))
    assert len(pairs) > EMPLOYEES
    for a, b in pairs:
        assert (b, a) in pairs
        assert (a, b) in follows and (b, a) in follows
    assert len(follows) > len(pairs), "there are one-way follows too"


def test_the_ceo_and_the_news_are_followed_by_most_people(company):
    _password, roles = sign_ins(company)
    for role in ("CEO", "company news"):
        profile = Profile.objects.get(user__username=roles[role])
        assert profile.follower_count > EMPLOYEES // 2


def test_counters_equal_the_rows(company):
    profiles = Profile.objects.annotate(
        followers=Count("follower_set", distinct=True),
        following=Count("following_set", distinct=True),
        connections=Count("connection_set", distinct=True),
    )
    for profile in profiles:
        assert profile.follower_count == profile.followers
        assert profile.following_count == profile.following
        assert profile.connection_count == profile.connections


def test_some_connection_requests_are_pending(company):
    _password, roles = sign_ins(company)
    pending = ConnectionRequest.objects.filter(status=ConnectionRequest.Status.PENDING)
    assert pending.filter(receiver__user__username=roles["employee"]).exists()
    for request in pending:
        assert not Connection.objects.filter(profile=request.sender, other=request.receiver).exists()


def test_some_alumni_keep_their_connections(company):
    _password, roles = sign_ins(company)
    alumni = Profile.objects.filter(status=ProfileStatus.ALUMNUS)
    assert 1 <= alumni.count() <= EMPLOYEES // 10
    assert not alumni.filter(reports__isnull=False).exists()
    alumnus = alumni.get(user__username=roles["alumnus"])
    assert Connection.objects.filter(profile=alumnus).exists()


def test_the_hr_officer_may_manage_employment_and_others_may_not(company):
    _password, roles = sign_ins(company)
    User = get_user_model()
    assert User.objects.get(username=roles["HR officer"]).has_perm("profiles.manage_employment")
    assert not User.objects.get(username=roles["employee"]).has_perm("profiles.manage_employment")
    admin = User.objects.get(username=roles["admin"])
    assert admin.is_superuser and admin.is_staff


def test_the_demo_password_signs_in_every_listed_account(company):
    password, roles = sign_ins(company)
    assert set(roles) >= {"admin", "HR officer", "employee", "manager", "alumnus"}
    for username in roles.values():
        user = authenticate(RequestFactory().post("/"), username=username, password=password)
        assert user is not None and user.username == username


def test_the_listed_people_play_their_roles(company):
    _password, roles = sign_ins(company)
    employee = Profile.objects.get(user__username=roles["employee"])
    assert employee.status == ProfileStatus.EMPLOYEE
    assert employee.manager.user.username == roles["manager"]
    alumnus = Profile.objects.get(user__username=roles["alumnus"])
    assert alumnus.status == ProfileStatus.ALUMNUS


def test_every_employee_has_exactly_one_open_period_in_todays_job(company):
    _password, roles = sign_ins(company)
    employees = people(roles, ProfileStatus.EMPLOYEE)
    assert employees.count() >= EMPLOYEES * 0.9
    open_periods = Counter(
        EmploymentPeriod.objects.filter(end__isnull=True).values_list("profile", flat=True)
    )
    for profile in employees:
        assert open_periods[profile.pk] == 1
        current = EmploymentPeriod.objects.get(profile=profile, end__isnull=True)
        assert (current.department_id, current.manager_id) == (profile.department_id, profile.manager_id)
    accounts = (roles["admin"], roles["company news"])
    assert not EmploymentPeriod.objects.filter(profile__user__username__in=accounts).exists()


def test_history_starts_on_the_hire_date_and_some_people_changed_department(company):
    moved = 0
    for profile in Profile.objects.filter(employment_periods__isnull=False).distinct():
        periods = list(profile.employment_periods.order_by("start"))
        assert periods[0].start == profile.hire_date
        for earlier, later in itertools.pairwise(periods):
            assert earlier.end == later.start - timedelta(days=1)
            assert earlier.department_id != later.department_id
        moved += len(periods) > 1 and profile.status == ProfileStatus.EMPLOYEE
    assert moved >= 1


def test_every_alumnus_has_a_closed_period_an_alumni_profile_and_a_personal_email(company):
    _password, roles = sign_ins(company)
    alumni = people(roles, ProfileStatus.ALUMNUS).select_related("alumni_profile")
    assert alumni.exists()
    today = timezone.localdate()
    emails = set()
    for profile in alumni:
        periods = list(profile.employment_periods.order_by("start"))
        assert periods and all(period.end is not None for period in periods)
        last = periods[-1]
        alumni_profile = profile.alumni_profile
        assert alumni_profile.left_on == last.end <= today - timedelta(days=30)
        assert last.department_id is not None
        assert alumni_profile.former_department_id == last.department_id
        assert alumni_profile.current_company
        assert re.fullmatch(r"[a-z0-9.\-]+@[a-z]+\.example", profile.personal_email)
        emails.add(profile.personal_email)
    assert len(emails) == alumni.count()
    assert AlumniProfile.objects.count() == alumni.count()


def test_the_alumni_directory_lists_exactly_the_listed_alumni(company):
    listed = set(AlumniProfile.objects.filter(listed=True).values_list("profile", flat=True))
    assert listed
    assert set(alumni_directory().values_list("pk", flat=True)) == listed


def test_the_demo_employee_has_alumni_among_former_colleagues(company):
    _password, roles = sign_ins(company)
    employee = Profile.objects.get(user__username=roles["employee"])
    colleagues = former_colleagues(viewer=employee)
    alumni = {c.profile.user.username for c in colleagues if c.profile.status == ProfileStatus.ALUMNUS}
    assert roles["alumnus"] in alumni


def test_the_demo_alumnus_signs_in_with_the_personal_email_not_the_work_email(company):
    password, roles = sign_ins(company)
    alumnus = Profile.objects.select_related("user").get(user__username=roles["alumnus"])
    user = authenticate(RequestFactory().post("/"), username=alumnus.personal_email, password=password)
    assert user is not None and user.username == roles["alumnus"]
    assert authenticate(RequestFactory().post("/"), username=alumnus.user.email, password=password) is None


def test_avatars_are_small_square_webp_images(company):
    avatars = Profile.objects.exclude(avatar="").values_list("avatar", flat=True)
    assert len(avatars) == 10
    for name in avatars:
        assert re.fullmatch(r"avatars/[0-9a-f]{32}\.webp", name)
        with default_storage.open(name) as file, Image.open(file) as image:
            assert image.format == "WEBP"
            assert image.width == image.height <= 512
            image.load()


def test_the_same_seed_builds_the_same_company():
    first_output = seed(seed=7, avatars=0)
    first = graph_by_username(), history_by_username()
    get_user_model().objects.all().delete()
    second_output = seed(seed=7, avatars=0)
    assert (graph_by_username(), history_by_username()) == first
    assert sign_ins(second_output) == sign_ins(first_output)


def test_another_seed_builds_another_company():
    seed(seed=7, avatars=0)
    first = graph_by_username()[0]
    get_user_model().objects.all().delete()
    seed(seed=8, avatars=0)
    assert graph_by_username()[0] != first


def test_if_empty_leaves_a_database_with_people_alone(company):
    before = (get_user_model().objects.count(), Follow.objects.count(), Connection.objects.count())
    output = seed(if_empty=True)
    assert "left it as it is" in output
    assert (get_user_model().objects.count(), Follow.objects.count(), Connection.objects.count()) == before


def test_without_if_empty_a_database_with_people_is_refused(company):
    before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="already has people"):
        seed()
    assert get_user_model().objects.count() == before


def test_if_empty_builds_into_an_empty_database():
    output = seed(if_empty=True, avatars=0)
    assert "Demo sign-ins" in output
    assert Profile.objects.count() == EMPLOYEES + 2


# --- Photo albums ------------------------------------------------------------------------------


@pytest.fixture
def albums_company():
    """A demo company with albums, built with no Celery worker and tasks not run inline: the
    demo processes its photos itself."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield seed(avatars=0, albums=ALBUMS)
    finally:
        celery_app.conf.task_always_eager = eager


def albums_by_username() -> list[tuple]:
    albums = Album.objects.select_related("owner__user").prefetch_related("photos")
    return sorted(
        (
            album.owner.user.username,
            album.title,
            album.description,
            album.visibility,
            [
                (photo.position, photo.caption, photo.alt_text, photo.width, photo.height, photo.blurhash)
                for photo in album.photos.all()
            ],
        )
        for album in albums
    )


def test_the_summary_counts_albums_and_photos(albums_company):
    assert f"{ALBUMS} photo albums with {Photo.objects.count()} photos." in albums_company


def test_demo_photos_are_ready_without_a_celery_worker(albums_company):
    assert Album.objects.count() == ALBUMS
    for album in Album.objects.prefetch_related("photos"):
        photos = list(album.photos.all())
        assert 3 <= len(photos) <= 8
        assert all(photo.status == Photo.Status.READY for photo in photos)
        assert album.photo_count == len(photos)
        assert album.cover_id in {photo.pk for photo in photos}


def test_demo_photos_have_renditions_and_a_blurhash_in_storage(albums_company):
    for photo in Photo.objects.all():
        assert photo.incoming == ""
        assert photo.blurhash
        assert photo.width and photo.height
        for name in (photo.original, photo.medium, photo.thumb):
            assert name.startswith(f"photos/{photo.key}/")
            assert default_storage.exists(name)
    assert Photo.objects.filter(height__gt=models.F("width")).exists(), "some photos are portrait"


def test_demo_originals_are_upright_and_carry_no_exif(albums_company):
    # Most demo photos were uploaded with EXIF (camera, date, some with a position and an
    # orientation that turns them upright); none of it is kept.
    assert Photo.objects.filter(taken_at__isnull=False).exists()
    for photo in Photo.objects.all():
        with default_storage.open(photo.original) as file, Image.open(file) as image:
            assert not image.getexif()
            assert "exif" not in image.info
            assert image.size == (photo.width, photo.height)


def test_every_demo_photo_has_alt_text_and_a_caption(albums_company):
    photos = Photo.objects.all()
    assert photos.exists()
    for photo in photos:
        assert len(photo.alt_text) > 40
        assert photo.caption
    assert len({photo.alt_text for photo in photos}) > len(photos) // 2


def test_the_demo_employee_has_albums_and_the_demo_alumnus_a_network_album(albums_company):
    _password, roles = sign_ins(albums_company)
    assert Album.objects.filter(owner__user__username=roles["employee"]).count() >= 2
    alumnus = Album.objects.filter(owner__user__username=roles["alumnus"])
    assert alumnus.filter(visibility=Visibility.NETWORK).exists()
    assert not Album.objects.filter(
        owner__status=ProfileStatus.ALUMNUS, visibility=Visibility.COMPANY
    ).exists()


def test_each_demo_album_is_in_the_feed_as_added_photos(albums_company):
    for album in Album.objects.all():
        batch = PhotoBatch.objects.get(album=album)
        activity = Activity.objects.get(pk=batch.activity_id)
        assert activity.verb == ADDED_PHOTOS
        assert activity.actor_id == album.owner_id
        assert activity.visibility == album.visibility


def test_the_same_seed_builds_the_same_albums():
    seed(seed=7, avatars=0, albums=ALBUMS)
    first = albums_by_username()
    get_user_model().objects.all().delete()
    seed(seed=7, avatars=0, albums=ALBUMS)
    assert albums_by_username() == first
    assert len(first) == ALBUMS
