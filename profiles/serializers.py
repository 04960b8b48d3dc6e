from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from profiles.audience import (
    UNKNOWN_VISIBILITY,
    VISIBILITY_FIELD_HELP,
    default_visibility,
    sees_internal_fields,
    visibility_choices,
)
from profiles.models import (
    ConnectionRequest,
    Department,
    DeviceToken,
    Office,
    Profile,
    ProfileStatus,
    Visibility,
)
from profiles.selectors import PROFILE_CONNECTION_STATES, Relations


def avatar_url(profile: Profile, request) -> str | None:
    if not profile.avatar:
        return None
    url = profile.avatar.url
    return request.build_absolute_uri(url) if request is not None else url


class VisibilityField(serializers.ChoiceField):
    """The visibility a person gives a post or an album: described and refused in the words
    the pages use (``profiles.audience``); who may write which is the services' check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", VISIBILITY_FIELD_HELP)
        kwargs.setdefault("error_messages", {"invalid_choice": UNKNOWN_VISIBILITY})
        super().__init__(choices=Visibility.choices, **kwargs)


class VisibilityChoiceSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Visibility.choices)
    label = serializers.CharField()
    help = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    """The smallest reference to a person, used inside other objects (feed items, requests)."""

    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField()
    avatar = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ProfileStatus.choices)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar(self, profile):
        return avatar_url(profile, self.context.get("request"))


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["slug", "name"]


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["slug", "name", "city", "country"]


class InternalFieldsSerializer(serializers.Serializer):
    """Fields only employees see (see profiles.audience.sees_internal_fields)."""

    department = DepartmentSerializer(allow_null=True)
    office = OfficeSerializer(allow_null=True)
    manager = PersonSerializer(allow_null=True)
    work_email = serializers.EmailField(source="user.email")
    work_phone = serializers.CharField()
    hire_date = serializers.DateField(allow_null=True)


class ProfileSerializer(PersonSerializer):
    """A profile as the viewer may see it. ``internal`` is null for viewers who are not
    employees. The view passes ``relations`` (how the viewer stands to each profile) in the
    context, loaded once per page."""

    headline = serializers.CharField()
    bio = serializers.CharField()
    pronouns = serializers.CharField()
    location = serializers.CharField()
    skills = serializers.SerializerMethodField()
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    connection_count = serializers.IntegerField()
    last_active_at = serializers.DateTimeField(allow_null=True)
    is_following = serializers.SerializerMethodField()
    connection = serializers.SerializerMethodField()
    connection_request = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()

    def _relations(self) -> Relations:
        return self.context["relations"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_skills(self, profile):
        return [s.name for s in profile.skills.all()]

    @extend_schema_field(serializers.BooleanField())
    def get_is_following(self, profile):
        return profile.pk in self._relations().following

    @extend_schema_field(serializers.ChoiceField(choices=PROFILE_CONNECTION_STATES))
    def get_connection(self, profile):
        viewer = self.context.get("viewer")
        if viewer is not None and viewer.pk == profile.pk:
            return "self"
        return self._relations().connection_state(profile.pk)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_connection_request(self, profile):
        return self._relations().request_id(profile.pk)

    @extend_schema_field(InternalFieldsSerializer(allow_null=True))
    def get_internal(self, profile):
        if not sees_internal_fields(self.context.get("viewer")):
            return None
        return InternalFieldsSerializer(profile, context=self.context).data


class MeSerializer(ProfileSerializer):
    unread_count = serializers.SerializerMethodField()
    is_hr = serializers.SerializerMethodField()
    # What a client's composer and album form offer: the choices the services accept from
    # this person, in the words of the web pages.
    visibility_choices = serializers.SerializerMethodField()
    default_visibility = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_unread_count(self, profile):
        return self.context.get("unread_count", 0)

    @extend_schema_field(serializers.BooleanField())
    def get_is_hr(self, profile):
        return profile.user.has_perm("profiles.manage_employment")

    @extend_schema_field(VisibilityChoiceSerializer(many=True))
    def get_visibility_choices(self, profile):
        return VisibilityChoiceSerializer(visibility_choices(profile), many=True).data

    @extend_schema_field(serializers.ChoiceField(choices=Visibility.choices))
    def get_default_visibility(self, profile):
        return default_visibility(profile)


class ProfileUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=120, required=False)
    headline = serializers.CharField(max_length=160, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    location = serializers.CharField(max_length=120, required=False, allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(max_length=60), max_length=30, required=False)


class AvatarUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="A JPEG, PNG, WebP or GIF image.")


class DirectoryQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    department = serializers.CharField(required=False, allow_blank=True, help_text="department slug")
    location = serializers.CharField(required=False, allow_blank=True, help_text="office slug")
    skill = serializers.CharField(required=False, allow_blank=True, help_text="a skill's name or slug")
    status = serializers.CharField(required=False, allow_blank=True)


class ConnectionRequestSerializer(serializers.ModelSerializer):
    sender = PersonSerializer()
    receiver = PersonSerializer()

    class Meta:
        model = ConnectionRequest
        fields = ["id", "sender", "receiver", "message", "status", "created_at", "responded_at"]


class ConnectionRequestCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BoxSerializer(serializers.Serializer):
    box = serializers.ChoiceField(choices=["incoming", "outgoing"], default="incoming")


# --- Sign-in --------------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Username or work email.")
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    device = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class DeviceTokenSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expires_at = serializers.DateTimeField(source="expiry", allow_null=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "device", "created", "last_used", "expires_at", "current"]

    @extend_schema_field(serializers.BooleanField())
    def get_current(self, token):
        current = self.context.get("current_token_id")
        return current is not None and token.pk == current
