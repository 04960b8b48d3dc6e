"""Signing in: a token per device, listed and revoked; sessions with CSRF for browsers."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from profiles.models import DeviceToken, Profile

pytestmark = pytest.mark.django_db


def sign_in(login, password, device="Ana's phone"):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": login, "password": password, "device": device}, format="json"
    )


def client_with(token, keyword="Token"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
    return client


def test_every_user_gets_a_profile_however_created():
    User = get_user_model()
    scripted = User.objects.create_user("script", "script@company.example", "pw-123456789")
    admin = User.objects.create_superuser("boss", "boss@company.example", "pw-123456789")
    assert Profile.objects.get(user=scripted).display_name == "script"
    assert Profile.objects.get(user=admin).status == "employee"


def test_sign_in_with_username_returns_an_expiring_token(ana, password):
    response = sign_in("ana", password)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"] is not None
    assert client_with(body["token"]).get("/api/v1/me/").json()["username"] == "ana"


def test_sign_in_with_email_in_any_case(ana, password):
    response = sign_in("ANA@company.example", password)
    assert response.status_code == 201


def test_token_is_stored_hashed_never_in_clear(ana, password):
    token = sign_in("ana", password).json()["token"]
    stored = DeviceToken.objects.get(user=ana.user)
    assert token not in stored.digest
    assert stored.digest != token and len(stored.digest) == 128


def test_bearer_works_like_token(ana, password):
    token = sign_in("ana", password).json()["token"]
    assert client_with(token, "Bearer").get("/api/v1/me/").status_code == 200


def test_wrong_password_is_a_clear_400_and_no_token(ana):
    response = sign_in("ana", "not her password")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not DeviceToken.objects.exists()


def test_missing_fields_are_field_errors(db):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert {"username", "password"} <= set(response.json())


def test_without_credentials_the_api_answers_401(anon, ana):
    response = anon.get("/api/v1/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_garbage_token_is_401(ana):
    assert client_with("nonsense").get("/api/v1/me/").status_code == 401


def test_tokens_are_listed_per_device(ana, password):
    phone = sign_in("ana", password, device="Pixel 9").json()["token"]
    sign_in("ana", password, device="iPad")
    listing = client_with(phone).get("/api/v1/auth/tokens/").json()["results"]
    assert sorted(t["device"] for t in listing) == ["Pixel 9", "iPad"]
    assert [t["current"] for t in listing if t["device"] == "Pixel 9"] == [True]
    assert {"id", "device", "created", "last_used"} <= set(listing[0])


def test_logout_revokes_only_the_token_used(ana, password):
    phone = sign_in("ana", password, device="phone").json()["token"]
    tablet = sign_in("ana", password, device="tablet").json()["token"]
    assert client_with(phone).post("/api/v1/auth/logout/").status_code == 204
    assert client_with(phone).get("/api/v1/me/").status_code == 401
    assert client_with(tablet).get("/api/v1/me/").status_code == 200


def test_one_token_is_revoked_by_id(ana, password):
    phone = sign_in("ana", password, device="phone").json()["token"]
    tablet = sign_in("ana", password, device="tablet").json()["token"]
    tablet_id = DeviceToken.objects.get(device="tablet").pk
    assert client_with(phone).delete(f"/api/v1/auth/tokens/{tablet_id}/").status_code == 204
    assert client_with(tablet).get("/api/v1/me/").status_code == 401
    assert client_with(phone).get("/api/v1/me/").status_code == 200


def test_nobody_revokes_someone_elses_token(ana, priya, password):
    sign_in("ana", password)
    anas_token = DeviceToken.objects.get(user=ana.user)
    priyas = sign_in("priya", password).json()["token"]
    assert client_with(priyas).delete(f"/api/v1/auth/tokens/{anas_token.pk}/").status_code == 404
    assert DeviceToken.objects.filter(pk=anas_token.pk).exists()


def test_all_tokens_are_revoked_at_once(ana, password):
    tokens = [sign_in("ana", password, device=d).json()["token"] for d in ("a", "b", "c")]
    assert client_with(tokens[0]).post("/api/v1/auth/logout-all/").status_code == 204
    assert all(client_with(t).get("/api/v1/me/").status_code == 401 for t in tokens)


def test_an_expired_token_no_longer_works(ana, password):
    token = sign_in("ana", password).json()["token"]
    from datetime import timedelta

    from django.utils import timezone

    DeviceToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert client_with(token).get("/api/v1/me/").status_code == 401
    assert not DeviceToken.objects.exists()


def test_using_a_token_records_last_use(ana, password):
    token = sign_in("ana", password).json()["token"]
    client_with(token).get("/api/v1/me/")
    assert DeviceToken.objects.get().last_used_at is not None


def test_a_deactivated_user_cannot_use_old_tokens(ana, password):
    token = sign_in("ana", password).json()["token"]
    ana.user.is_active = False
    ana.user.save()
    assert client_with(token).get("/api/v1/me/").status_code == 401


def test_browser_session_writes_need_csrf(ana):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(ana.user)
    assert browser.get("/api/v1/me/").status_code == 200
    refused = browser.patch("/api/v1/me/", {"headline": "x"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/admin/login/")  # any page that sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    allowed = browser.patch(
        "/api/v1/me/", {"headline": "Staff Engineer"}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert allowed.status_code == 200
    assert allowed.json()["headline"] == "Staff Engineer"
