from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alumni.models import MAX_LINKS, AlumniProfile, EmploymentEvent
from profiles.selectors import CONNECTION_STATES
from profiles.serializers import DepartmentSerializer, PersonSerializer, ProfileSerializer


class AlumniProfileSerializer(serializers.ModelSerializer):
    """One's own alumni profile (``alumni/me/``)."""

    location = serializers.CharField(source="profile.location")
    former_department = DepartmentSerializer(allow_null=True)

    class Meta:
        model = AlumniProfile
        fields = [
            "current_company",
            "current_title",
            "location",
            "links",
            "listed",
            "open_to_rehire",
            "announce_departure",
            "left_on",
            "former_department",
        ]


class AlumniProfileUpdateSerializer(serializers.Serializer):
    current_company = serializers.CharField(max_length=120, required=False, allow_blank=True)
    current_title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    location = serializers.CharField(max_length=120, required=False, allow_blank=True)
    links = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=MAX_LINKS, required=False
    )
    listed = serializers.BooleanField(required=False)
    open_to_rehire = serializers.BooleanField(required=False)
    announce_departure = serializers.BooleanField(required=False)


class AlumnusCardSerializer(PersonSerializer):
    """An alumnus in the directory: what they chose to tell, and how the viewer stands to them."""

    headline = serializers.CharField()
    location = serializers.CharField()
    current_company = serializers.CharField(source="alumni_profile.current_company")
    current_title = serializers.CharField(source="alumni_profile.current_title")
    links = serializers.ListField(child=serializers.URLField(), source="alumni_profile.links")
    open_to_rehire = serializers.BooleanField(source="alumni_profile.open_to_rehire")
    left_on = serializers.DateField(source="alumni_profile.left_on", allow_null=True)
    former_department = DepartmentSerializer(source="alumni_profile.former_department", allow_null=True)
    connection = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=CONNECTION_STATES))
    def get_connection(self, profile):
        return self.context["relations"].connection_state(profile.pk)


class FormerColleagueSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    headline = serializers.CharField(source="profile.headline")
    department = DepartmentSerializer(allow_null=True)
    overlap_days = serializers.IntegerField(help_text="Days worked in the same place at the same time.")
    until = serializers.DateField(allow_null=True, help_text="When they left that place; null: still there.")
    connection = serializers.SerializerMethodField()
    connection_request = serializers.SerializerMethodField()

    @extend_schema_field(PersonSerializer)
    def get_person(self, colleague):
        return PersonSerializer(colleague.profile, context=self.context).data

    @extend_schema_field(serializers.ChoiceField(choices=CONNECTION_STATES))
    def get_connection(self, colleague):
        return self.context["relations"].connection_state(colleague.profile.pk)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_connection_request(self, colleague):
        return self.context["relations"].request_id(colleague.profile.pk)


class DirectoryQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    former_department = serializers.CharField(required=False, allow_blank=True, help_text="department slug")
    left_year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    current_company = serializers.CharField(required=False, allow_blank=True, max_length=120)


class OffboardSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    leave_date = serializers.DateField(help_text="Last day; a date in the future is applied on that day.")
    personal_email = serializers.EmailField()


class RehireSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    start = serializers.DateField(required=False, help_text="First day; today when left out.")
    department = serializers.CharField(required=False, allow_blank=True, help_text="department slug")
    title = serializers.CharField(required=False, allow_blank=True, max_length=160)
    manager = serializers.CharField(required=False, allow_blank=True, help_text="the manager's username")


class EmploymentEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = EmploymentEvent
        fields = ["id", "action", "effective_on", "source", "by", "created_at", "applied_at", "cancelled_at"]


class EmploymentChangeSerializer(ProfileSerializer):
    """The answer to offboard and rehire: the changed person's profile, with the audit record
    (``applied_at`` is null while a leave waits for its date)."""

    employment_event = serializers.SerializerMethodField()

    @extend_schema_field(EmploymentEventSerializer)
    def get_employment_event(self, profile):
        return EmploymentEventSerializer(self.context["event"]).data
