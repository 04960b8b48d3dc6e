from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"
    verbose_name = "Benchmarks"

    def ready(self):
        from actstream import registry
        from django.contrib.auth import get_user_model

        from feed.models import Post

        # The peer's data model: users follow users; each post is an action
        # "<user> posted <post>".
        registry.register(get_user_model(), Post)
