from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exit kit"

    def ready(self):
        from exports import receivers

        receivers.connect()
