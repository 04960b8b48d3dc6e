"""What alumni stories share: a person's working life, told through the services."""

import datetime as dt

from alumni.services import alumnus_offboard, employment_start
from profiles.models import Profile


def worked(person: Profile, *, start: dt.date, end: dt.date | None = None, department, manager=None):
    """``person`` joined ``department`` on ``start``; with ``end``, they left the company that day."""
    employment_start(profile=person, start=start, department=department, manager=manager)
    if end is not None:
        alumnus_offboard(profile=person, leave_date=end, personal_email=f"{person.username}@home.example")
        person.refresh_from_db()
    return person
