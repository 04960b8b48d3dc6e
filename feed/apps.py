from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"

    def ready(self):
        from feed import objects, receivers, registry, selectors
        from profiles.api import register_me_field

        registry.register_object_type("post", load=objects.load_posts, render=objects.render_posts)
        registry.register_object_type(
            "profile", load=objects.load_profiles, render=objects.render_profiles, cached=False
        )
        receivers.connect()
        register_me_field("unread_count", lambda viewer: selectors.unread_count(viewer=viewer))
