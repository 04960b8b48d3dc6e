"""Skills are keyed by ``profiles.models.skill_slug``.

They used to be keyed by Django's ``slugify``, which keeps neither "+", "#" nor "." apart
("C++" and "C#" were the one skill "c", "Node.js" was "nodejs") and drops every letter that is
not Latin. Each stored skill is keyed again; skills that now share a key become one, keeping
the people of both.
"""

from collections import defaultdict

from django.db import migrations, models

from profiles.models import skill_slug


def rekey_skills(apps, schema_editor):
    Skill = apps.get_model("profiles", "Skill")
    Listed = apps.get_model("profiles", "Profile").skills.through
    groups = defaultdict(list)
    for skill in Skill.objects.order_by("pk"):
        groups[skill_slug(skill.name) or skill.slug].append(skill)
    moving = []
    for slug, skills in groups.items():
        keeper = next((skill for skill in skills if skill.slug == slug), skills[0])
        merged = [skill.pk for skill in skills if skill.pk != keeper.pk]
        if merged:
            people = set(Listed.objects.filter(skill_id__in=merged).values_list("profile_id", flat=True))
            people -= set(Listed.objects.filter(skill_id=keeper.pk).values_list("profile_id", flat=True))
            Listed.objects.bulk_create([Listed(profile_id=pk, skill_id=keeper.pk) for pk in people])
            Skill.objects.filter(pk__in=merged).delete()
        if keeper.slug != slug:
            moving.append((keeper.pk, slug))
    # Through a key no skill has, so that no two skills hold the same one on the way.
    for pk, _slug in moving:
        Skill.objects.filter(pk=pk).update(slug=f"~{pk}")
    for pk, slug in moving:
        Skill.objects.filter(pk=pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_personal_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="skill",
            name="slug",
            field=models.SlugField(allow_unicode=True, max_length=60, unique=True),
        ),
        migrations.RunPython(rekey_skills, migrations.RunPython.noop),
    ]
