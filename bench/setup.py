"""Building the bench's world: the database (created if missing, migrated, emptied), the
company, Redis timelines and device tokens."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bench import graph, keys
from feed import fanout, timelines
from feed.models import Activity
from profiles.models import DeviceToken


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def build_company(scale: graph.Scale, seed: int) -> graph.Plan:
    company = graph.plan(scale, seed)
    graph.empty_database()
    graph.write(company)
    # Authors above the limit are merged on read; the bench process and the server it
    # starts use the same limit (the worker of the big fan-out raises its own).
    settings.FEED_FANOUT_LIMIT = company.fanout_limit
    return company


def newest_activity_ids(count: int) -> list[int]:
    return list(Activity.objects.order_by("-id").values_list("pk", flat=True)[:count])


def build_timelines(company: graph.Plan, r) -> dict:
    """Every follower of the star gets a timeline at the cap (a copy of one that
    ``timelines.replace`` built); the viewers, the live author and the star get their own,
    rebuilt from the database by ``feed.fanout.rebuild_timeline``."""
    template = company.star_followers[0]
    timelines.replace(template, newest_activity_ids(settings.FEED_MAX_ITEMS + 1))
    cloned = keys.clone_timeline(r, template, company.star_followers[1:])
    own = [
        company.star,
        company.live_author,
        company.live_crowd_author,
        company.merge_viewer,
        company.plain_viewer,
        company.rebuild_viewer,
        *company.http_viewers,
    ]
    for profile_id in own:
        fanout.rebuild_timeline(profile_id)
    return {"template": template, "cloned": cloned, "rebuilt": len(own)}


def tokens_for(profile_ids: list[int], device: str) -> dict[int, str]:
    """One device token per person: ``{profile_id: key}``."""
    users = get_user_model().objects.in_bulk(profile_ids)
    tokens = {}
    for profile_id in profile_ids:
        _token, key = DeviceToken.objects.create(users[profile_id], device=device)
        tokens[profile_id] = key
    return tokens
