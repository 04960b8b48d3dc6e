"""Factories for the test cast. Users get their profile from the post_save hook, exactly as
in production; factories then fill in the profile."""

import factory
from django.contrib.auth import get_user_model

from profiles.models import Department, Office, Profile, ProfileStatus

PASSWORD = "correct horse battery staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.LazyAttribute(lambda d: d.name.lower().replace(" ", "-"))


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Office {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    city = "Lisbon"
    country = "PT"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@company.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_person(
    username: str,
    *,
    display_name: str | None = None,
    status: str = ProfileStatus.EMPLOYEE,
    headline: str = "",
    department: Department | None = None,
    office: Office | None = None,
    manager: Profile | None = None,
    skills: list[str] = (),
    **profile_fields,
) -> Profile:
    """A person with a profile, as a story would introduce them."""
    from profiles.services import profile_update

    user = UserFactory(username=username)
    profile = Profile.objects.get(user=user)
    profile.status = status
    profile.department = department
    profile.office = office
    profile.manager = manager
    for name, value in profile_fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile_update(
        profile=profile,
        display_name=display_name or username.replace("_", " ").title(),
        headline=headline,
        skills=list(skills),
    )
