from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "People"

    def ready(self):
        from profiles import auth_services, receivers

        post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles.user_saved")
        # However a password is set (a link, the reset page, the admin, a command), the
        # credentials issued before it end.
        post_save.connect(
            auth_services.password_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="profiles.password_saved",
        )
        receivers.connect()


def _user_saved(sender, instance, created, raw=False, **kwargs):
    # Every user has a profile, whether an admin, createsuperuser, a script calling
    # create_user or the HR sync created it. Bulk inserts (seed_demo) create theirs
    # explicitly.
    if created and not raw:
        from profiles.services import profile_ensure

        profile_ensure(user=instance)
