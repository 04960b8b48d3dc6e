from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"

    def ready(self):
        from photos import feed_items

        feed_items.register()
