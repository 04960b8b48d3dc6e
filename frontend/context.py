"""What every page's frame shows: the signed-in person, their unread count, the HR link.

Read lazily, so a template that does not show the frame (the admin) costs no query."""

from functools import cached_property

from feed.selectors import unread_count
from profiles.audience import is_hr
from profiles.selectors import profile_of


class Nav:
    def __init__(self, request):
        self.request = request

    @cached_property
    def viewer(self):
        viewer = getattr(self.request, "viewer", None)
        return viewer if viewer is not None else profile_of(self.request.user)

    @cached_property
    def unread(self) -> int:
        return unread_count(viewer=self.viewer) if self.viewer is not None else 0

    @cached_property
    def is_hr(self) -> bool:
        return is_hr(self.request.user)

    @cached_property
    def is_alumnus(self) -> bool:
        return self.viewer is not None and self.viewer.is_alumnus


def nav(request) -> dict:
    return {"nav": Nav(request)}
