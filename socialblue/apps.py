"""The project's app: what every process (web, worker, beat, ``manage.py``) sets up once the
settings are read and the apps loaded, so that importing the settings has no side effect."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from PIL import Image


class SocialBlueConfig(AppConfig):
    name = "socialblue"
    verbose_name = "SocialBlue"

    def ready(self):
        from socialblue import schema  # noqa: F401  (registers OpenAPI extensions)

        limit_image_pixels()
        make_database_folders()
        make_development_static_folder()


def limit_image_pixels() -> None:
    """Pillow refuses to open anything past twice ``Image.MAX_IMAGE_PIXELS`` (a decompression
    bomb): the limit is the largest image we accept (``PHOTO_MAX_PIXELS``,
    ``AVATAR_MAX_PIXELS``), and our own header check (socialblue/images.py) refuses past those
    before Pillow has to. Set here, for the whole process, rather than by importing settings."""
    Image.MAX_IMAGE_PIXELS = max(settings.PHOTO_MAX_PIXELS, settings.AVATAR_MAX_PIXELS)


def make_database_folders() -> None:
    """SQLite opens its file but not the folders above it: on a fresh checkout the embedded
    default's ``var/`` does not exist yet. Made before the first connection, which comes after
    the apps are ready."""
    for database in settings.DATABASES.values():
        name = str(database.get("NAME") or "")
        in_memory = name in ("", ":memory:") or "mode=memory" in name
        if database["ENGINE"] == "django.db.backends.sqlite3" and not in_memory:
            Path(name).parent.mkdir(parents=True, exist_ok=True)


def make_development_static_folder() -> None:
    """On a developer's machine whitenoise serves the apps' static files through the finders,
    yet still looks into ``STATIC_ROOT`` and warns on every start while it is missing. In
    production ``collectstatic`` makes it, and a missing one is worth that warning."""
    if settings.WHITENOISE_USE_FINDERS:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
