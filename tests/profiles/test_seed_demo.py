"""``manage.py seed_demo`` builds a believable demo company that people can sign in to."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory
from PIL import Image

from profiles.models import (
    Connection,
    ConnectionRequest,
    Department,
    Follow,
    Office,
    Profile,
    ProfileStatus,
)

pytestmark = pytest.mark.django_db

EMPLOYEES = 60


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(**options) -> str:
    out = StringIO()
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
    first = graph_by_username()
    get_user_model().objects.all().delete()
    second_output = seed(seed=7, avatars=0)
    assert graph_by_username() == first
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
