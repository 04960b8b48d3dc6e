from django.apps import AppConfig


class AlumniConfig(AppConfig):
    name = "alumni"

    def ready(self):
        from alumni import receivers

        receivers.connect()
