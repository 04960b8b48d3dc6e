from django.apps import AppConfig


class SocialBlueConfig(AppConfig):
    name = "socialblue"
    verbose_name = "SocialBlue"

    def ready(self):
        from socialblue import schema  # noqa: F401  (registers OpenAPI extensions)
