"""The exit kit in the Django admin: for looking only (archives are built and ended by the
services; a file deleted by hand would leave a row that promises it)."""

from django.contrib import admin

from exports.models import DataExport
from socialblue.admin import WrittenByServices


@admin.register(DataExport)
class DataExportAdmin(WrittenByServices, admin.ModelAdmin):
    list_display = ["profile", "status", "progress", "size", "created_at", "finished_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["profile__display_name", "profile__user__username"]
    list_select_related = ["profile__user"]
