"""The fixed cost of an API request: who is asking, and their profile, in one query; the
person's status still read from the database on every request; PostgreSQL connections lent
by a pool."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from profiles.models import DeviceToken, Profile, ProfileStatus
from socialblue.authentication import TokenOrBearerAuthentication

TOKENS = "/api/v1/auth/tokens/"


def token_client(profile, device: str = "Ana's phone") -> tuple[APIClient, str]:
    _token, key = DeviceToken.objects.create(profile.user, device=device)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def test_a_token_request_reads_token_person_and_profile_in_one_query(ana, django_assert_num_queries):
    client, _key = token_client(ana)
    assert client.get(TOKENS).status_code == 200  # the first use records the device's last use

    # One for the token with its person and profile, one for the list of devices.
    with django_assert_num_queries(2):
        assert client.get(TOKENS).status_code == 200


def test_a_browser_session_reads_its_user_with_the_profile(ana, django_assert_num_queries):
    browser = Client()
    browser.force_login(ana.user, backend="profiles.backends.UsernameOrEmailBackend")
    assert browser.get(TOKENS).status_code == 200

    # The session, its user with the profile, the list of devices.
    with django_assert_num_queries(3):
        assert browser.get(TOKENS).status_code == 200


def test_the_person_behind_a_token_is_read_afresh_each_time(ana):
    _client, key = token_client(ana)
    authentication = TokenOrBearerAuthentication()
    user, _token = authentication.authenticate_credentials(key.encode())
    assert user.profile.status == ProfileStatus.EMPLOYEE

    Profile.objects.filter(pk=ana.pk).update(status=ProfileStatus.ALUMNUS)

    user, _token = authentication.authenticate_credentials(key.encode())
    assert user.profile.status == ProfileStatus.ALUMNUS


SHOW_DATABASE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"pool": db.get("OPTIONS", {}).get("pool"), "conn_max_age": db["CONN_MAX_AGE"]}))
"""


def database_settings(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SHOW_DATABASE],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "socialblue.settings",
            "DEBUG": "1",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/anything",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


POOL = {"min_size": 1, "reconnect_timeout": 2}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"pool": {**POOL, "max_size": 10, "timeout": 5}, "conn_max_age": 0}),
        (
            {"DATABASE_POOL_MAX_SIZE": "4", "DATABASE_POOL_TIMEOUT": "2", "DATABASE_CONN_MAX_AGE": "60"},
            {"pool": {**POOL, "max_size": 4, "timeout": 2}, "conn_max_age": 0},
        ),
        ({"DATABASE_POOL_MAX_SIZE": "0", "DATABASE_CONN_MAX_AGE": "60"}, {"pool": None, "conn_max_age": 60}),
    ],
)
def test_postgresql_connections_come_from_a_pool_unless_it_is_turned_off(env, expected):
    assert database_settings(**env) == expected
