"""The alumni app in the Django admin.

Offboarding and rehire are admin actions on people, and go through the same services as the
API and ``manage.py sync_hr``. Everything else here is for looking: employment periods and
audit records are written by services only, so the admin cannot add, change or
delete them. HR officers (``profiles.manage_employment``) see people and these records
without holding the model permissions; they need ``is_staff`` to sign in to the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alumni import services
from alumni.models import AlumniProfile, EmploymentEvent, EmploymentPeriod
from profiles.admin import ProfileAdmin
from profiles.audience import is_hr
from profiles.models import Profile, ProfileStatus
from socialblue.admin import WrittenByServices
from socialblue.errors import ServiceError

# One confirmation page per batch of people: offboarding is decided person by person.
MAX_PEOPLE_PER_ACTION = 100


class HRMayLook:
    """HR officers may look at employment records (not change them) without model permissions."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_hr(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_hr(request.user)


# --- Employment records -----------------------------------------------------------------------


class EmploymentPeriodInline(HRMayLook, WrittenByServices, admin.TabularInline):
    model = EmploymentPeriod
    fk_name = "profile"
    fields = ["start", "end", "department", "title", "manager"]
    readonly_fields = fields
    ordering = ["start"]
    extra = 0


@admin.register(EmploymentPeriod)
class EmploymentPeriodAdmin(HRMayLook, WrittenByServices, admin.ModelAdmin):
    list_display = ["profile", "start", "end", "department", "title"]
    list_filter = ["department"]
    search_fields = ["profile__display_name", "profile__user__username", "title"]
    list_select_related = ["profile__user", "department"]
    date_hierarchy = "start"


@admin.register(EmploymentEvent)
class EmploymentEventAdmin(HRMayLook, WrittenByServices, admin.ModelAdmin):
    """The audit record of every offboarding and rehire: who, what, when, through which way in."""

    list_display = ["profile", "action", "effective_on", "state", "source", "actor", "created_at"]
    list_filter = ["action", "source", "effective_on"]
    search_fields = ["profile__display_name", "profile__user__username", "personal_email"]
    list_select_related = ["profile__user", "actor"]
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("state"))
    def state(self, event: EmploymentEvent) -> str:
        if event.cancelled_at:
            return _("cancelled")
        return _("applied") if event.applied_at else _("scheduled")


@admin.register(AlumniProfile)
class AlumniProfileAdmin(HRMayLook, admin.ModelAdmin):
    """What alumni tell former colleagues is theirs to write; the admin may only take someone
    out of the directory (``listed``), through the same service as the person."""

    list_display = ["profile", "current_company", "current_title", "left_on", "former_department", "listed"]
    list_filter = ["listed", "open_to_rehire", "former_department"]
    search_fields = ["profile__display_name", "profile__user__username", "current_company"]
    list_select_related = ["profile__user", "former_department"]
    fields = [
        "profile",
        "current_company",
        "current_title",
        "links",
        "listed",
        "open_to_rehire",
        "announce_departure",
        "left_on",
        "former_department",
        "updated_at",
    ]
    readonly_fields = [name for name in fields if name != "listed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.alumni_profile_update(profile=obj.profile, listed=obj.listed)


# --- Offboarding and rehire, on people --------------------------------------------------------


class OffboardForm(forms.Form):
    profile = forms.ModelChoiceField(queryset=Profile.objects.none(), widget=forms.HiddenInput)
    leave_date = forms.DateField(
        label=gettext_lazy("Leave date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Where the alumni invitation goes, and how they sign in afterwards.
    personal_email = forms.EmailField(label=gettext_lazy("Personal email"))

    def __init__(self, *args, people: QuerySet[Profile], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the people selected for the action, whatever the page posts.
        self.fields["profile"].queryset = people


class BaseOffboardFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        chosen = [form.cleaned_data["profile"].pk for form in self.forms]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Each person appears once."))


class EmploymentProfileAdmin(ProfileAdmin):
    """The people admin of ``profiles``, with employment history and HR's actions."""

    inlines = [*ProfileAdmin.inlines, EmploymentPeriodInline]
    actions = [*ProfileAdmin.actions, "offboard_selected", "rehire_selected"]

    def has_manage_employment_permission(self, request) -> bool:
        return is_hr(request.user)

    def has_view_permission(self, request, obj=None):
        # HR officers need to find the people they offboard or rehire.
        return super().has_view_permission(request, obj) or self.has_manage_employment_permission(request)

    @admin.action(description=gettext_lazy("Offboard selected people"), permissions=["manage_employment"])
    def offboard_selected(self, request, queryset):
        """A page with a leave date and a personal email for each selected employee; on
        submit, each one is offboarded on their own (one failure does not stop the others)."""
        if self._too_many(request, queryset):
            return None
        employees = queryset.filter(status=ProfileStatus.EMPLOYEE)
        people = list(employees.select_related("user").order_by("display_name", "pk"))
        skipped = list(
            queryset.exclude(status=ProfileStatus.EMPLOYEE).select_related("user").order_by("display_name")
        )
        if not people:
            self.message_user(request, _("None of the selected people is an employee."), messages.WARNING)
            return None
        today = timezone.localdate()
        initial = [{"profile": p, "leave_date": today, "personal_email": p.personal_email} for p in people]
        # One form per selected employee, however many forms the page says it posts.
        OffboardFormSet = forms.formset_factory(
            OffboardForm, formset=BaseOffboardFormSet, extra=0, max_num=len(people), absolute_max=len(people)
        )
        kwargs = {"initial": initial, "prefix": "offboard", "form_kwargs": {"people": employees}}
        if "apply" not in request.POST:
            formset = OffboardFormSet(**kwargs)
        else:
            formset = OffboardFormSet(request.POST, **kwargs)
            if formset.is_valid():
                for form in formset.forms:
                    self._offboard(request, **form.cleaned_data)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Offboard people"),
            "opts": self.model._meta,
            "formset": formset,
            "rows": list(zip(people, formset.forms, strict=False)),
            "skipped": skipped,
            "action_name": "offboard_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + formset.media,
        }
        return TemplateResponse(request, "admin/alumni/offboard.html", context)

    def _offboard(self, request, *, profile: Profile, leave_date, personal_email: str) -> None:
        try:
            event = services.alumnus_offboard(
                profile=profile,
                leave_date=leave_date,
                personal_email=personal_email,
                by=request.user,
                source=EmploymentEvent.Source.ADMIN,
            )
        except ServiceError as error:
            self.message_user(
                request,
                _("%(name)s was not offboarded: %(reason)s")
                % {"name": profile.display_name, "reason": error.text()},
                messages.ERROR,
            )
            return
        if event.applied_at is not None:
            text = _("%(name)s has left the company (leave date %(date)s); the invitation goes to %(email)s.")
        else:
            text = _("%(name)s will leave the company on %(date)s; the invitation goes to %(email)s then.")
        self.message_user(
            request,
            text % {"name": profile.display_name, "date": event.effective_on, "email": event.personal_email},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Rehire selected alumni"), permissions=["manage_employment"])
    def rehire_selected(self, request, queryset):
        """Asks for confirmation, then rehires each selected alumnus from today."""
        if self._too_many(request, queryset):
            return None
        alumni = list(
            queryset.filter(status=ProfileStatus.ALUMNUS)
            .select_related("user")
            .order_by("display_name", "pk")
        )
        skipped = list(
            queryset.exclude(status=ProfileStatus.ALUMNUS).select_related("user").order_by("display_name")
        )
        if not alumni:
            self.message_user(request, _("None of the selected people is an alumnus."), messages.WARNING)
            return None
        if request.POST.get("confirm") == "yes":
            for person in alumni:
                try:
                    services.alumnus_rehire(
                        profile=person, by=request.user, source=EmploymentEvent.Source.ADMIN
                    )
                except ServiceError as error:
                    self.message_user(
                        request,
                        _("%(name)s was not rehired: %(reason)s")
                        % {"name": person.display_name, "reason": error.text()},
                        messages.ERROR,
                    )
                else:
                    self.message_user(
                        request, _("%(name)s is an employee again.") % {"name": person.display_name}
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rehire alumni"),
            "opts": self.model._meta,
            "alumni": alumni,
            "skipped": skipped,
            "action_name": "rehire_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/alumni/rehire.html", context)

    def _too_many(self, request, queryset) -> bool:
        if queryset.count() <= MAX_PEOPLE_PER_ACTION:
            return False
        self.message_user(
            request,
            _("Select at most %(n)d people at a time.") % {"n": MAX_PEOPLE_PER_ACTION},
            messages.WARNING,
        )
        return True


admin.site.unregister(Profile)
admin.site.register(Profile, EmploymentProfileAdmin)
