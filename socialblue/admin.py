"""What the Django admin of every app shares."""


class WrittenByServices:
    """The admin only looks: these rows are written by services (which validate, lock and
    schedule what follows), so the admin cannot add, change or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
