"""The mobile teams generate their SDKs from ``/api/schema/``; a client generated from it works.

The schema is made in this process (as ``/api/schema/`` serves it), a Python client is
generated from it with openapi-python-client (offline, as a mobile team's build would), and
that client drives a live server: sign in, read the feed, upload a photo that a real worker
processes, post with it, comment, read notifications, sign out.

Every answer the story gets is parsed by the generated models and validated against its
operation's response schema, strictly: types and nullable fields exact, and no field an
object's schema does not name (unless the schema says the object is open).
"""

import importlib
import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.feed.stories import active
from tests.images import image_bytes
from tests.schema import as_json_schema
from tests.workers import tasks_through_broker, wait_for

# The server and the worker read what the test wrote through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "socialblue_client"
# The generator's own configuration, as a mobile team's build would hold it: the exit kit's
# zip is binary like any ``application/octet-stream`` answer, and the generated code is left
# as generated (formatting it is the team's business).
GENERATOR_CONFIG = """\
content_type_overrides:
  application/zip: application/octet-stream
post_hooks: []
"""


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


@pytest.fixture(scope="module")
def sdk(schema, tmp_path_factory):
    """The package openapi-python-client generates from the schema, imported."""
    workdir = tmp_path_factory.mktemp("sdk")
    (workdir / "schema.json").write_text(json.dumps(schema))
    (workdir / "config.yml").write_text(GENERATOR_CONFIG)
    generated = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path=schema.json",
            "--config=config.yml",
            f"--output-path={PACKAGE}",
            "--meta=none",
            "--fail-on-warning",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def operation(sdk, tag: str, name: str):
    return importlib.import_module(f"{sdk.__name__}.api.{tag}.{name}")


class Checked:
    """Calls the generated operations and holds every answer to the schema."""

    def __init__(self, sdk, schema: dict):
        self.sdk, self.schema = sdk, schema
        self.components = as_json_schema(schema["components"])

    def __call__(self, tag: str, name: str, *, path: str, method: str, status: int, **kwargs):
        answer = operation(self.sdk, tag, name).sync_detailed(**kwargs)
        assert answer.status_code == status, (name, answer.status_code, answer.content)
        documented = self.schema["paths"][path][method]["responses"][str(status)]
        if "content" not in documented:
            assert not answer.content, (name, answer.content)
            return None
        [(media_type, body)] = documented["content"].items()
        assert media_type == "application/json", (name, media_type)
        jsonschema.validate(
            json.loads(answer.content), {**as_json_schema(body["schema"]), "components": self.components}
        )
        assert answer.parsed is not None, name  # the generated code read it
        return answer.parsed


@pytest.fixture
def call(sdk, schema) -> Checked:
    return Checked(sdk, schema)


def sign_in(sdk, call, base_url: str, person, password: str):
    """A client signed in as ``person`` through ``POST /auth/token/``."""
    from_client = sdk.client
    login = importlib.import_module(f"{sdk.__name__}.models").LoginRequest
    created = call(
        "auth",
        "auth_token_create",
        path="/api/v1/auth/token/",
        method="post",
        status=201,
        client=from_client.Client(base_url=base_url),
        body=login(username=person.user.username, password=password, device=f"{person.display_name}'s SDK"),
    )
    return from_client.AuthenticatedClient(base_url=base_url, token=created.token, prefix="Token")


def test_the_generator_takes_the_schema_without_a_warning(sdk):
    # --fail-on-warning: an operation it could not read would be missing from the SDK.
    assert operation(sdk, "me", "me_export_download_retrieve")


def test_a_generated_client_signs_in_posts_a_photo_comments_and_signs_out(
    sdk, call, live_asgi, ana, marco, password, media_root, celery_worker
):
    models = importlib.import_module(f"{sdk.__name__}.models")
    types = importlib.import_module(f"{sdk.__name__}.types")
    active(ana, marco)
    ana_app = sign_in(sdk, call, live_asgi, ana, password)
    marco_app = sign_in(sdk, call, live_asgi, marco, password)

    page = call("feed", "feed_retrieve", path="/api/v1/feed/", method="get", status=200, client=marco_app)
    assert page.results == [] and page.next_ is None
    call(
        "profiles",
        "profiles_follow_create",
        path="/api/v1/profiles/{username}/follow/",
        method="post",
        status=201,
        client=marco_app,
        username="ana",
    )

    with tasks_through_broker():
        worker = celery_worker("sdk")
        album = call(
            "albums",
            "albums_create",
            path="/api/v1/albums/",
            method="post",
            status=201,
            client=ana_app,
            body=models.AlbumCreateRequest(title="Team offsite", visibility=models.VisibilityEnum.COMPANY),
        )
        [photo] = call(
            "albums",
            "albums_photos_create",
            path="/api/v1/albums/{id}/photos/",
            method="post",
            status=202,
            client=ana_app,
            id=album.id,
            body=models.PhotoUploadRequest(
                image=[
                    types.File(payload=BytesIO(image_bytes()), file_name="lake.jpg", mime_type="image/jpeg")
                ]
            ),
        )
        assert photo.status == models.PhotoStatusEnum.PROCESSING

        def processed():
            return call(
                "photos",
                "photos_retrieve",
                path="/api/v1/photos/{id}/",
                method="get",
                status=200,
                client=ana_app,
                id=photo.id,
            )

        wait_for(
            lambda: processed().status == models.PhotoStatusEnum.READY,
            what=lambda: f"the photo to be processed; worker log:\n{worker.log()[-3000:]}",
            every=0.2,
        )
        post = call(
            "posts",
            "posts_create",
            path="/api/v1/posts/",
            method="post",
            status=201,
            client=ana_app,
            body=models.PostCreateRequest(
                body="The lake at the offsite", visibility=models.VisibilityEnum.COMPANY, photos=[photo.id]
            ),
        )
        assert [attached.id for attached in post.photos] == [photo.id]

        comment = call(
            "posts",
            "posts_comments_create",
            path="/api/v1/posts/{id}/comments/",
            method="post",
            status=201,
            client=marco_app,
            id=post.id,
            body=models.CommentCreateRequest(body="Lovely, @ana!"),
        )
        comments = call(
            "posts",
            "posts_comments_list",
            path="/api/v1/posts/{id}/comments/",
            method="get",
            status=200,
            client=ana_app,
            id=post.id,
        )
        assert [c.id for c in comments.results] == [comment.id]

        def notifications():
            return call(
                "notifications",
                "notifications_list",
                path="/api/v1/notifications/",
                method="get",
                status=200,
                client=ana_app,
            ).results

        wait_for(
            lambda: notifications(),
            what=lambda: f"Ana's notification; worker log:\n{worker.log()[-3000:]}",
            every=0.2,
        )
        [heard] = notifications()
        assert (heard.kind, heard.actor.username, heard.post, heard.comment) == (
            models.NotificationKindEnum.COMMENT,
            "marco",
            post.id,
            comment.id,
        )

        def marcos_feed() -> list[int]:
            page = call(
                "feed", "feed_retrieve", path="/api/v1/feed/", method="get", status=200, client=marco_app
            )
            return [(item.object_.type_, item.object_.id) for item in page.results]

        wait_for(
            lambda: ("post", post.id) in marcos_feed(),
            what=lambda: f"Ana's post in Marco's feed: {marcos_feed()}",
            every=0.2,
        )

    call("auth", "auth_logout_create", path="/api/v1/auth/logout/", method="post", status=204, client=ana_app)
    call("me", "me_retrieve", path="/api/v1/me/", method="get", status=401, client=ana_app)
