from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from profiles.models import (
    Connection,
    ConnectionRequest,
    Department,
    DeviceToken,
    Follow,
    Office,
    Profile,
    Skill,
    skill_slug,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "path"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "slug"]
    list_filter = ["country"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}


class SkillForm(forms.ModelForm):
    """A skill's slug is ``skill_slug`` of its name, as the profile service makes it (the
    admin's own slug script would key "Node.js" differently, and the directory miss it)."""

    class Meta:
        model = Skill
        fields = ["name"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        slug = skill_slug(name)
        if not slug:
            raise forms.ValidationError(_("A skill's name needs a letter or a digit."))
        if Skill.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is a skill of that name already."))
        self.instance.slug = slug
        return name


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    form = SkillForm
    list_display = ["name", "slug"]
    search_fields = ["name"]
    readonly_fields = ["slug"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "headline", "department", "office", "status", "last_active_at"]
    list_filter = ["status", "department", "office__country"]
    search_fields = ["display_name", "user__username", "user__email", "headline"]
    list_select_related = ["user", "department", "office"]
    autocomplete_fields = ["user", "manager", "department", "office", "skills"]
    readonly_fields = [
        "follower_count",
        "following_count",
        "connection_count",
        "last_active_at",
        "created_at",
        "updated_at",
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Skills are saved after the profile: rebuild what the directory searches.
        form.instance.refresh_search_text()


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "created_at"]
    list_select_related = ["follower", "followee"]
    raw_id_fields = ["follower", "followee"]

    # Follows change through the graph services (counts, hooks); the admin only looks.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["profile", "other", "created_at"]
    list_select_related = ["profile", "other"]
    raw_id_fields = ["profile", "other"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(admin.ModelAdmin):
    list_display = ["sender", "receiver", "status", "created_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["sender", "receiver"]
    raw_id_fields = ["sender", "receiver"]

    def has_add_permission(self, request):
        return False


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "device", "created", "last_used_at", "expiry"]
    search_fields = ["user__username", "device"]
    list_select_related = ["user"]
    fields = ["user", "device", "created", "last_used_at", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
