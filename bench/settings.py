"""Settings of the bench processes: SocialBlue's own, plus django-activity-stream (the peer
the feed is compared with) and the bench app. Installed only here, never in the product."""

from socialblue.settings import *  # noqa: F403
from socialblue.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "actstream", "bench"]
ROOT_URLCONF = "bench.urls"

# actstream's defaults, stated: generic relations fetched in bulk (its recommended setting),
# no JSON data field.
ACTSTREAM_SETTINGS = {"FETCH_RELATIONS": True, "USE_JSONFIELD": False}
