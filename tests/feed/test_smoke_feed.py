import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_post_reaches_a_followers_feed(ana, priya, client_for):
    from django.utils import timezone

    from profiles.models import Profile

    Profile.objects.update(last_active_at=timezone.now())
    client_for(priya).post("/api/v1/profiles/ana/follow/")
    assert client_for(priya).get("/api/v1/feed/").status_code == 200  # builds the timeline
    created = client_for(ana).post(
        "/api/v1/posts/", {"body": "Hello @priya, see https://example.com"}, format="json"
    )
    assert created.status_code == 201, created.content
    feed = client_for(priya).get("/api/v1/feed/").json()
    print(feed)
    assert feed["results"][0]["object"]["post"]["body"].startswith("Hello")
