"""A believable demo company: a department tree, offices in several countries, people with
names, titles, skills and generated avatars, and a clustered social graph (team-mates and
manager chains connected, cross-team friends, many following the CEO and the company news).

Everything is planned in Python from one seed, so the same seed gives the same company, and
then written in one transaction with bulk inserts: a demo of a few hundred people takes
seconds, a benchmark company of fifty thousand a minute or two. ``manage.py seed_demo`` is
the entry point. The offices, departments and the words people are described with are the
tables of ``demo/data/company.toml``; names come from Faker, by each office's locale.
"""

import contextlib
import functools
import gc
import itertools
import math
import random
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw, ImageFont

from demo.tables import RGB, rgb, table
from profiles.models import (
    Connection,
    ConnectionRequest,
    Department,
    Follow,
    Office,
    Profile,
    ProfileStatus,
    Skill,
    search_text_for,
)
from profiles.models import skill_slug as profiles_skill_slug

DEMO_PASSWORD = "socialblue-demo"
EMAIL_DOMAIN = "socialblue.example"
HR_GROUP = "HR officers"
DEFAULT_EMPLOYEES = 300
DEFAULT_AVATARS = 400
DEFAULT_SEED = 1
# Rows per INSERT. PostgreSQL takes each batch as a few arrays (UNNEST); on SQLite, Django
# lowers it to fit the limit on variables per statement.
BATCH_SIZE = 2000

ALUMNI_SHARE = 0.05
ALUMNI_LEFT_DAYS_AGO = (30, 4 * 365)  # when alumni left: from a month to a few years ago
AVATAR_SHARE = 0.85
LOCAL_NAME_SHARE = 0.8
NAME_POOL_SIZE = 400
SAME_OFFICE_AS_MANAGER = 0.65
TEAM_MATES_CONNECTED = 0.7
SKIP_LEVEL_CONNECTED = 0.15
FRIENDS_WEIGHTS = (40, 35, 15, 7, 3)  # chances of 0, 1, 2, 3, 4 cross-team friends
ONE_WAY_FOLLOWS_WEIGHTS = (55, 30, 12, 3)  # chances of 0, 1, 2, 3 extra one-way follows


# --- The company's shape (demo/data/company.toml) ---------------------------------------------


@dataclass(frozen=True)
class OfficeSpec:
    slug: str
    city: str
    country: str
    country_name: str
    region: str
    locale: str
    phone_prefix: str
    weight: int
    nearby: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentSpec:
    """One department: ``weight`` is its share of the staff below the heads (0: the head only);
    ``manager_titles`` name the layers of management, from team lead upwards."""

    slug: str
    name: str
    parent: str | None
    head_title: str
    skills: tuple[str, ...]
    weight: float = 0
    manager_titles: tuple[str, ...] = ()
    ic_titles: tuple[str, ...] = ()
    region: str | None = None


_COMPANY = table("company")
_PEOPLE = _COMPANY["people"]

OFFICES: tuple[OfficeSpec, ...] = tuple(
    OfficeSpec(**{**office, "nearby": tuple(office["nearby"])}) for office in _COMPANY["offices"]
)
# Parents come before their children.
DEPARTMENTS: tuple[DepartmentSpec, ...] = tuple(
    DepartmentSpec(
        slug=department["slug"],
        name=department["name"],
        parent=department.get("parent"),
        head_title=department["head_title"],
        skills=tuple(department["skills"]),
        weight=department.get("weight", 0),
        manager_titles=tuple(department.get("manager_titles", ())),
        ic_titles=tuple(department.get("ic_titles", ())),
        region=department.get("region"),
    )
    for department in _COMPANY["departments"]
)

ROOT_DEPARTMENT = "socialblue"
DEMO_EMPLOYEE_DEPARTMENT = "platform"
HR_DEPARTMENT = "people-operations"
HR_OFFICER_TITLE = "HR Business Partner"
NEWS_DEPARTMENT = "communications"
MIN_EMPLOYEES = len(DEPARTMENTS) + sum(1 for d in DEPARTMENTS if d.weight) + 5

MANAGER_SKILLS: tuple[str, ...] = tuple(_PEOPLE["manager_skills"])
EXTRA_SKILLS: tuple[str, ...] = tuple(_PEOPLE["extra_skills"])
HOBBIES: tuple[str, ...] = tuple(_PEOPLE["hobbies"])
PREVIOUSLY: tuple[str, ...] = tuple(_PEOPLE["previously"])
NEXT_EMPLOYERS: tuple[str, ...] = tuple(_PEOPLE["next_employers"])
PERSONAL_MAIL_DOMAINS: tuple[str, ...] = tuple(_PEOPLE["personal_mail_domains"])
REQUEST_MESSAGES: tuple[str, ...] = tuple(_PEOPLE["request_messages"])
AVATAR_COLOURS: tuple[RGB, ...] = tuple(rgb(colour) for colour in _PEOPLE["avatar_colours"])
NEWS_COLOUR: RGB = rgb(_PEOPLE["news_colour"])

_ASCII_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "đ": "d",
        "\u0131": "i",
        "œ": "oe",
    }
)


# --- What the build returns -------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    """One person's employment as the plan knows it, as plain data: the alumni app turns it
    into employment periods and alumni profiles (profiles knows nothing of either).

    ``user_id`` and ``manager_id`` are user ids, which are also profile ids. ``manager_id`` is
    the planned manager, kept for alumni too; ``title`` is the job title at the company.
    Alumni have ``left_on`` (their last day), ``next_employer`` and ``personal_email``;
    ``role`` is the person's role in the sign-in table, if any ("employee", "alumnus", …).
    """

    user_id: int
    department_id: int
    manager_id: int | None
    title: str
    start: date
    left_on: date | None = None
    next_employer: str = ""
    personal_email: str = ""
    role: str = ""


@dataclass(frozen=True)
class DemoCompany:
    """A summary of what was built, and the accounts to sign in with (all use ``password``).
    ``employment`` has every person's :class:`EmploymentRecord`, accounts left out."""

    people: int
    alumni: int
    departments: int
    offices: int
    countries: int
    connections: int
    follows: int
    pending_requests: int
    avatars: int
    password: str
    sign_ins: tuple[SignIn, ...]
    employment: tuple[EmploymentRecord, ...] = field(default=(), repr=False)


class DatabaseNotEmpty(Exception):
    """The demo company is only ever built into a database without people."""


# --- Planning (pure Python, deterministic) ----------------------------------------------------


@dataclass(slots=True)
class _Person:
    index: int
    department: DepartmentSpec | None
    office: OfficeSpec | None
    is_head: bool = False
    manager: int | None = None
    height: int = 0  # layers of management below this person: 0 for an individual contributor
    female: bool = False
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    display_name: str = ""
    title: str = ""
    headline: str = ""
    bio: str = ""
    pronouns: str = ""
    location: str = ""
    work_phone: str = ""
    hire_days_ago: int = 0
    left_days_ago: int = 0  # alumni only
    next_employer: str = ""  # alumni only
    personal_email: str = ""  # alumni only
    active_hours_ago: float = 0
    skills: list[str] = field(default_factory=list)
    alumnus: bool = False
    account: bool = False  # the news account or the administrator, not a person
    admin: bool = False
    avatar_colour: RGB | None = None
    avatar_initials: str = ""


def _how_many(rng: random.Random, weights: tuple[int, ...]) -> int:
    """A count from 0 up, drawn with the given weights."""
    return rng.choices(range(len(weights)), weights=weights)[0]


# The profiles' own key, cached: the demo keys the same few names a great many times.
skill_slug = functools.cache(profiles_skill_slug)


@dataclass(frozen=True)
class _NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]


@functools.cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


@functools.cache
def _name_pool(locale: str, seed: int) -> _NamePool:
    """Names of one locale drawn once from Faker, common names more often, so that picking
    from the pool is cheap however many people are named."""
    fake = _faker(locale)
    fake.seed_instance(seed)
    last: list[str] = []
    while len(last) < NAME_POOL_SIZE:
        name = fake.last_name()
        # Some locales put a particle last ("Dussen van"); keep the plainer names.
        if name.split()[-1][:1].isupper():
            last.append(name)
    return _NamePool(
        female=tuple(fake.first_name_female() for _ in range(NAME_POOL_SIZE)),
        male=tuple(fake.first_name_male() for _ in range(NAME_POOL_SIZE)),
        last=tuple(last),
    )


@functools.lru_cache(maxsize=20_000)
def ascii_name(text: str) -> str:
    """``text`` as lower-case ASCII letters, digits and hyphens, fit for a username part."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    plain = re.sub("['\u2019]", "", folded.encode("ascii", "ignore").decode().lower())
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", plain)).strip("-")


class _Plan:
    """The whole company as plain data: people by index, the graph as index pairs."""

    def __init__(self, *, employees: int, avatars: int, seed: int, taken_usernames: Iterable[str]) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.people: list[_Person] = []
        self.taken = set(taken_usernames)
        self.personal_emails: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.heads: dict[str, int] = {}
        self.members: dict[str, list[int]] = defaultdict(list)
        self.connections: set[tuple[int, int]] = set()
        self.follows: set[tuple[int, int]] = set()
        self.requests: list[tuple[int, int, str]] = []
        self.today = timezone.localdate()

        self._place_people(employees)
        self.cast = self._choose_cast()
        self._name_people()
        self._describe_people()
        self._choose_alumni()
        self._connect_people()
        self._follow_people()
        self._ask_to_connect()
        self._add_accounts()
        self._choose_avatars(avatars)

    # The structure: heads, staff, managers and offices.

    def _staff_per_department(self, staff: int) -> dict[str, int]:
        """Every staffed department gets one person; the rest go by weight (largest remainder)."""
        weighted = [d for d in DEPARTMENTS if d.weight]
        extra = staff - len(weighted)
        total = sum(d.weight for d in weighted)
        quotas = [extra * d.weight / total for d in weighted]
        counts = [1 + math.floor(q) for q in quotas]
        left = staff - sum(counts)
        by_remainder = sorted(range(len(weighted)), key=lambda i: (-(quotas[i] % 1), i))
        for i in by_remainder[:left]:
            counts[i] += 1
        return {d.slug: n for d, n in zip(weighted, counts, strict=True)}

    def _new_person(self, department: DepartmentSpec, office: OfficeSpec) -> int:
        person = _Person(index=len(self.people), department=department, office=office)
        self.people.append(person)
        self.members[department.slug].append(person.index)
        return person.index

    def _office_for(self, department: DepartmentSpec, near: OfficeSpec | None) -> OfficeSpec:
        allowed = [o for o in OFFICES if department.region in (None, o.region)]
        if near is not None and near in allowed and self.rng.random() < SAME_OFFICE_AS_MANAGER:
            return near
        return self.rng.choices(allowed, weights=[o.weight for o in allowed])[0]

    def _place_people(self, employees: int) -> None:
        staff_counts = self._staff_per_department(employees - len(DEPARTMENTS))
        for department in DEPARTMENTS:
            boss = self.heads.get(department.parent) if department.parent else None
            near = self.people[boss].office if boss is not None else None
            head = self._new_person(department, self._office_for(department, near))
            self.people[head].is_head = True
            self.people[head].manager = boss
            self.heads[department.slug] = head
            staff = [
                self._new_person(department, self.people[head].office)
                for _ in range(staff_counts.get(department.slug, 0))
            ]
            self.people[head].height = self._organise(head, staff)

    def _organise(self, manager: int, staff: list[int]) -> int:
        """Put ``staff`` under ``manager`` in teams of five to eight, adding layers of
        management as needed; returns how many layers are below ``manager``."""
        if not staff:
            return 0
        fanout = self.rng.randint(5, 8)
        if len(staff) <= fanout:
            for index in staff:
                self._report_to(index, manager)
            return 1
        groups = max(2, min(fanout, math.ceil(len(staff) / (fanout + 1))))
        size, bigger = divmod(len(staff), groups)
        start, height = 0, 0
        for group in range(groups):
            end = start + size + (1 if group < bigger else 0)
            lead, *team = staff[start:end]
            start = end
            self._report_to(lead, manager)
            self.people[lead].height = self._organise(lead, team)
            height = max(height, self.people[lead].height)
        return height + 1

    def _report_to(self, index: int, manager: int) -> None:
        person = self.people[index]
        person.manager = manager
        person.office = self._office_for(person.department, self.people[manager].office)

    # Who they are.

    def _name_people(self) -> None:
        locales = sorted({o.locale for o in OFFICES})
        pools = {locale: _name_pool(locale, self.seed * 1000 + n) for n, locale in enumerate(locales)}
        rng = self.rng
        for person in self.people:
            local = rng.random() < LOCAL_NAME_SHARE
            pool = pools[person.office.locale if local else rng.choice(locales)]
            person.female = rng.random() < 0.5
            person.first_name = rng.choice(pool.female if person.female else pool.male)
            person.last_name = rng.choice(pool.last)
            person.display_name = f"{person.first_name} {person.last_name}"
            person.username = self._username(person.first_name, person.last_name)

    def _username(self, first_name: str, last_name: str) -> str:
        base = ".".join(p for p in (ascii_name(first_name), ascii_name(last_name)) if p) or "person"
        username = base
        while username in self.taken:
            suffix = self.next_suffix.get(base, 2)
            self.next_suffix[base] = suffix + 1
            username = f"{base}{suffix}"
        self.taken.add(username)
        return username

    def _describe_people(self) -> None:
        rng = self.rng
        for person in self.people:
            department = person.department
            if person.is_head:
                person.title = department.head_title
            elif person.height:
                layers = department.manager_titles
                person.title = layers[min(person.height, len(layers)) - 1]
            elif not person.title:
                person.title = rng.choice(department.ic_titles)
            manages_a_team = person.height and not person.is_head
            person.headline = f"{person.title}, {department.name}" if manages_a_team else person.title
            person.skills = self._skills_for(person)
            person.pronouns = self._pronouns(person.female)
            office = person.office
            if rng.random() < 0.1:
                person.location = f"{rng.choice(office.nearby)}, {office.country_name}"
            else:
                person.location = f"{office.city}, {office.country_name}"
            person.work_phone = f"{office.phone_prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            if person.is_head:
                person.hire_days_ago = rng.randint(4 * 365, 12 * 365)
            elif person.height:
                person.hire_days_ago = rng.randint(2 * 365, 10 * 365)
            else:
                person.hire_days_ago = rng.randint(14, 8 * 365)
            if person.index == self.cast["employee"]:
                # Long enough to have worked beside the demo alumnus, who left within a year.
                person.hire_days_ago = rng.randint(2 * 365, 5 * 365)
            person.active_hours_ago = rng.uniform(0, 72) if rng.random() < 0.85 else rng.uniform(240, 2160)
            person.bio = self._bio(person) if rng.random() < 0.9 else ""

    def _skills_for(self, person: _Person) -> list[str]:
        rng = self.rng
        pool = person.department.skills
        skills = rng.sample(pool, k=rng.randint(min(2, len(pool)), min(4, len(pool))))
        if person.height and rng.random() < 0.7:
            skills.append(rng.choice(MANAGER_SKILLS))
        if rng.random() < 0.3:
            skills.append(rng.choice(EXTRA_SKILLS))
        unique: dict[str, str] = {}
        for name in skills:
            unique.setdefault(skill_slug(name), name)
        return sorted(unique.values(), key=str.casefold)

    def _pronouns(self, female: bool) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            return "they/them"
        if roll < 0.06:
            return "she/they" if female else "he/they"
        if roll < 0.6:
            return "she/her" if female else "he/him"
        return ""

    def _bio(self, person: _Person) -> str:
        rng = self.rng
        hired = self.today - timedelta(days=person.hire_days_ago)
        first = rng.choice(
            (
                f"{person.title} in our {person.office.city} office.",
                f"{person.title} at SocialBlue since {hired.year}.",
                f"Part of {person.department.name} since {hired.year}.",
            )
        )
        second = rng.choice(
            (
                f"Before SocialBlue I worked {rng.choice(PREVIOUSLY)}.",
                f"Ask me about {rng.choice(person.skills)}.",
                f"Always up for a chat about {rng.choice(person.skills)}.",
            )
        )
        hobby = rng.choice(HOBBIES)
        third = rng.choice((f"Outside work: {hobby}.", f"Weekends are for {hobby}.", ""))
        return " ".join(s for s in (first, second, third) if s)

    def _choose_cast(self) -> dict[str, int]:
        """The people the sign-in table names: one per role a demo wants to try."""
        platform = self.members[DEMO_EMPLOYEE_DEPARTMENT]
        employee = next(i for i in platform if not self.people[i].is_head and not self.people[i].height)
        hr_officer = next(
            i for i in self.members[HR_DEPARTMENT] if not self.people[i].is_head and not self.people[i].height
        )
        self.people[hr_officer].title = HR_OFFICER_TITLE
        return {
            "CEO": self.heads[ROOT_DEPARTMENT],
            "manager": self.people[employee].manager,
            "employee": employee,
            "HR officer": hr_officer,
        }

    def _choose_alumni(self) -> None:
        """About one in twenty individual contributors has left; one of them from Platform so
        that the demo alumnus has former team-mates next to the demo employee. Each alumnus
        worked here a year or more and left between a month and a few years ago (the demo
        alumnus within the last year), for a next employer; they sign in with a personal
        address."""
        cast = set(self.cast.values())
        eligible = [p.index for p in self.people if not p.height and not p.is_head and p.index not in cast]
        count = min(len(eligible), max(1, round(len(self.people) * ALUMNI_SHARE)))
        from_platform = [i for i in eligible if self.people[i].department.slug == DEMO_EMPLOYEE_DEPARTMENT]
        first = [self.rng.choice(from_platform)] if from_platform else []
        rest = [i for i in eligible if i not in first]
        chosen = first + self.rng.sample(rest, count - len(first))
        self.cast["alumnus"] = chosen[0]
        rng = self.rng
        for index in chosen:
            person = self.people[index]
            person.alumnus = True
            soonest, latest = ALUMNI_LEFT_DAYS_AGO
            person.left_days_ago = rng.randint(soonest, 365 if index == self.cast["alumnus"] else latest)
            years = rng.randint(1, 6)
            person.hire_days_ago = person.left_days_ago + years * 365 + rng.randint(0, 300)
            employer = rng.choice(NEXT_EMPLOYERS)
            person.next_employer = employer
            if rng.random() < 0.5:
                person.headline = f"{person.title} at {employer}"
            else:
                person.headline = f"Former {person.title} at SocialBlue"
            person.bio = (
                f"Spent {years} year{'s' if years > 1 else ''} in {person.department.name} at SocialBlue; "
                f"now at {employer}. Always happy to hear from former colleagues."
            )
            person.active_hours_ago = rng.uniform(24, 24 * 120)
            person.personal_email = self._personal_email(person)

    def _personal_email(self, person: _Person) -> str:
        """``first.last@`` a consumer mail domain, unique in the company."""
        local = ".".join(p for p in (ascii_name(person.first_name), ascii_name(person.last_name)) if p)
        local = local or person.username
        domain = self.rng.choice(PERSONAL_MAIL_DOMAINS)
        email, suffix = f"{local}@{domain}", 2
        while email in self.personal_emails:
            email, suffix = f"{local}{suffix}@{domain}", suffix + 1
        self.personal_emails.add(email)
        return email

    # The graph.

    def _connect(self, a: int, b: int) -> None:
        if a != b:
            self.connections.add((a, b) if a < b else (b, a))

    def _connect_people(self) -> None:
        """Team-mates mostly connected to each other, everyone to their manager, some to their
        manager's manager, and a few friends across teams, most of them in the same office."""
        rng = self.rng
        reports: dict[int, list[int]] = defaultdict(list)
        for person in self.people:
            if person.manager is not None:
                reports[person.manager].append(person.index)
        for manager, team in reports.items():
            grand_manager = self.people[manager].manager
            for i, member in enumerate(team):
                self._connect(member, manager)
                if grand_manager is not None and rng.random() < SKIP_LEVEL_CONNECTED:
                    self._connect(member, grand_manager)
                for other in team[i + 1 :]:
                    if rng.random() < TEAM_MATES_CONNECTED:
                        self._connect(member, other)
        by_office: dict[str, list[int]] = defaultdict(list)
        for person in self.people:
            by_office[person.office.slug].append(person.index)
        everyone = len(self.people)
        for person in self.people:
            for _ in range(_how_many(rng, FRIENDS_WEIGHTS)):
                if rng.random() < 0.65:
                    friend = rng.choice(by_office[person.office.slug])
                else:
                    friend = rng.randrange(everyone)
                self._connect(person.index, friend)

    def _follow_people(self) -> None:
        """Connected people follow each other; most people also follow the CEO, the heads of
        their department and a few colleagues they are not connected with."""
        rng = self.rng
        for a, b in sorted(self.connections):
            self.follows.add((a, b))
            self.follows.add((b, a))
        ceo = self.heads[ROOT_DEPARTMENT]
        top_department: dict[str, str] = {}
        for spec in DEPARTMENTS:
            below_root = spec.parent in (None, ROOT_DEPARTMENT)
            top_department[spec.slug] = spec.slug if below_root else top_department[spec.parent]
        everyone = len(self.people)
        for person in self.people:
            me = person.index
            if rng.random() < (0.4 if person.alumnus else 0.9):
                self.follows.add((me, ceo))
            department = person.department
            for slug, chance in ((top_department[department.slug], 0.6), (department.slug, 0.5)):
                if rng.random() < chance:
                    self.follows.add((me, self.heads[slug]))
            for _ in range(_how_many(rng, ONE_WAY_FOLLOWS_WEIGHTS)):
                if rng.random() < 0.5:
                    other = rng.choice(self.members[department.slug])
                else:
                    other = rng.randrange(everyone)
                self.follows.add((me, other))
        self.follows = {(a, b) for a, b in self.follows if a != b}

    def _ask_to_connect(self) -> None:
        """Pending connection requests: a few to and from the demo employee, the rest at random
        between people who are not connected yet."""
        rng = self.rng
        pairs: set[tuple[int, int]] = set()

        def ask(sender: int, receiver: int) -> bool:
            key = (min(sender, receiver), max(sender, receiver))
            if sender == receiver or key in self.connections or key in pairs:
                return False
            pairs.add(key)
            self.requests.append((sender, receiver, rng.choice(REQUEST_MESSAGES)))
            return True

        employee = self.cast["employee"]
        strangers = [
            p.index
            for p in self.people
            if not p.alumnus and p.department.slug != DEMO_EMPLOYEE_DEPARTMENT and not p.is_head
        ]
        for sender in rng.sample(strangers, min(3, len(strangers))):
            ask(sender, employee)
        if strangers:
            ask(employee, rng.choice(strangers))
        everyone = len(self.people)
        wanted = len(self.requests) + max(5, everyone // 20)
        for _ in range(wanted * 10):
            if len(self.requests) >= wanted:
                break
            ask(rng.randrange(everyone), rng.randrange(everyone))

    # The accounts that are not people, and the avatars.

    def _add_accounts(self) -> None:
        """The company news account (followed by almost everyone) and the site administrator."""
        news_department = next(d for d in DEPARTMENTS if d.slug == NEWS_DEPARTMENT)
        news = _Person(index=len(self.people), department=news_department, office=None, account=True)
        news.username = self._username("news", "")
        news.display_name = "SocialBlue News"
        news.headline = "Company news and announcements"
        news.bio = "The official company news account: launches, all-hands recordings and office news."
        news.skills = ["Storytelling"]
        news.avatar_colour = NEWS_COLOUR
        news.avatar_initials = "SB"
        self.people.append(news)
        for person in self.people[: news.index]:
            if self.rng.random() < (0.3 if person.alumnus else 0.95):
                self.follows.add((person.index, news.index))

        admin = _Person(index=len(self.people), department=None, office=None, account=True, admin=True)
        admin.username = self._username("admin", "")
        admin.first_name, admin.last_name = "Site", "Admin"
        admin.display_name = "Site Admin"
        admin.headline = "SocialBlue administrator"
        self.people.append(admin)
        cast = self.cast
        self.cast = {
            "admin": admin.index,
            "HR officer": cast["HR officer"],
            "employee": cast["employee"],
            "manager": cast["manager"],
            "alumnus": cast["alumnus"],
            "CEO": cast["CEO"],
            "company news": news.index,
        }

    def _choose_avatars(self, limit: int) -> None:
        """Most people have an avatar (the cast always do), at most ``limit`` in all."""
        rng = self.rng
        cast = [i for i in self.cast.values() if not self.people[i].admin]
        in_cast = set(cast)
        others = [p.index for p in self.people if p.index not in in_cast and not p.admin]
        rng.shuffle(others)
        wanted = cast + [i for i in others if rng.random() < AVATAR_SHARE]
        for index in wanted[:limit]:
            person = self.people[index]
            if person.avatar_colour is None:
                person.avatar_colour = rng.choice(AVATAR_COLOURS)
                initials = ascii_name(person.first_name)[:1] + ascii_name(person.last_name)[:1]
                person.avatar_initials = initials.upper()


# --- Avatars ----------------------------------------------------------------------------------


@functools.cache
def _avatar_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def avatar_webp(initials: str, colour: RGB, size: int) -> bytes:
    """A square WebP image of ``size`` pixels: ``initials`` in white on ``colour``."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    font = _avatar_font(round(size * 0.42))
    draw.text((size / 2, size / 2), initials, font=font, fill="white", anchor="mm")
    out = BytesIO()
    image.save(out, "WEBP", quality=80)
    return out.getvalue()


# --- Writing ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the build makes millions of small objects and no
    cycles, and repeated full collections would only slow it down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def database_has_people() -> bool:
    return Profile.objects.exists()


def build_demo_company(
    *,
    employees: int = DEFAULT_EMPLOYEES,
    avatars: int = DEFAULT_AVATARS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> DemoCompany:
    """Build the demo company into a database that has no people yet, in one transaction.

    The same ``seed`` and ``employees`` give the same usernames, structure and graph.
    ``employees`` counts the people of the company (alumni included, at least
    ``MIN_EMPLOYEES``); the news account and the administrator come on top. Raises
    :class:`DatabaseNotEmpty` if anyone has a profile already. If the build fails, the
    avatar files it stored are deleted again.
    """
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"A demo company needs at least {MIN_EMPLOYEES} employees.")
    say = progress or (lambda message: None)
    stored: list[str] = []
    try:
        with _collector_paused(), transaction.atomic():
            if database_has_people():
                raise DatabaseNotEmpty("The database already has people.")
            User = get_user_model()
            plan = _Plan(
                employees=employees,
                avatars=max(0, avatars),
                seed=seed,
                taken_usernames=User.objects.values_list("username", flat=True),
            )
            say(f"Planned {len(plan.people)} accounts; storing avatars…")
            return _write(plan, stored, say)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _write(plan: _Plan, stored: list[str], say: Callable[[str], None]) -> DemoCompany:
    departments = _write_departments()
    offices = _write_offices()
    skill_ids = _write_skills(plan)
    avatar_names = _store_avatars(plan, stored)

    say("Creating users and profiles…")
    pk_of = _write_users(plan)
    _bulk_insert(Profile, _profiles(plan, pk_of, departments, offices, avatar_names))
    Through = Profile.skills.through
    _bulk_insert(
        Through,
        (
            Through(profile_id=pk_of[person.index], skill_id=skill_ids[skill_slug(name)])
            for person in plan.people
            for name in person.skills
        ),
    )

    say("Connecting people…")
    _bulk_insert(
        Connection,
        (
            Connection(profile_id=pk_of[x], other_id=pk_of[y])
            for a, b in sorted(plan.connections)
            for x, y in ((a, b), (b, a))
        ),
        ignore_conflicts=True,
    )
    _bulk_insert(
        Follow,
        (Follow(follower_id=pk_of[a], followee_id=pk_of[b]) for a, b in sorted(plan.follows)),
        ignore_conflicts=True,
    )
    _bulk_insert(
        ConnectionRequest,
        (
            ConnectionRequest(sender_id=pk_of[sender], receiver_id=pk_of[receiver], message=message)
            for sender, receiver, message in plan.requests
        ),
    )
    say("Counting followers and connections…")
    _recount_graph()
    _make_hr_officer(pk_of[plan.cast["HR officer"]])

    people = [p for p in plan.people if not p.account]
    return DemoCompany(
        people=len(people),
        alumni=sum(1 for p in people if p.alumnus),
        departments=len(departments),
        offices=len(offices),
        countries=len({o.country for o in OFFICES}),
        connections=len(plan.connections),
        follows=len(plan.follows),
        pending_requests=len(plan.requests),
        avatars=len(avatar_names),
        password=DEMO_PASSWORD,
        sign_ins=tuple(
            SignIn(role, plan.people[index].username, plan.people[index].display_name)
            for role, index in plan.cast.items()
        ),
        employment=_employment(plan, pk_of, departments),
    )


def _employment(plan: _Plan, pk_of: list[int], departments: dict[str, int]) -> tuple[EmploymentRecord, ...]:
    role_of = {index: role for role, index in plan.cast.items()}
    return tuple(
        EmploymentRecord(
            user_id=pk_of[person.index],
            department_id=departments[person.department.slug],
            manager_id=pk_of[person.manager] if person.manager is not None else None,
            title=person.title,
            start=plan.today - timedelta(days=person.hire_days_ago),
            left_on=plan.today - timedelta(days=person.left_days_ago) if person.alumnus else None,
            next_employer=person.next_employer,
            personal_email=person.personal_email,
            role=role_of.get(person.index, ""),
        )
        for person in plan.people
        if not person.account
    )


def _bulk_insert(
    model: type[models.Model], rows: Iterable[models.Model], *, ignore_conflicts: bool = False
) -> None:
    """Insert ``rows`` in batches, holding only a few batches in memory at a time."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, BATCH_SIZE * 10)):
        model.objects.bulk_create(chunk, batch_size=BATCH_SIZE, ignore_conflicts=ignore_conflicts)


def _profiles(
    plan: _Plan,
    pk_of: list[int],
    departments: dict[str, int],
    offices: dict[str, int],
    avatar_names: dict[int, str],
) -> Iterator[Profile]:
    """The profile of every planned person, with the search text the directory matches."""
    now = timezone.now()
    for person in plan.people:
        # Alumni keep their connections but no longer belong to the organisation.
        inside = not person.alumnus
        yield Profile(
            user_id=pk_of[person.index],
            display_name=person.display_name,
            headline=person.headline,
            bio=person.bio,
            pronouns=person.pronouns,
            location=person.location,
            avatar=avatar_names.get(person.index, ""),
            status=ProfileStatus.EMPLOYEE if inside else ProfileStatus.ALUMNUS,
            department_id=departments[person.department.slug] if inside and person.department else None,
            office_id=offices[person.office.slug] if inside and person.office else None,
            manager_id=pk_of[person.manager] if inside and person.manager is not None else None,
            work_phone=person.work_phone if inside else "",
            hire_date=None if person.account else plan.today - timedelta(days=person.hire_days_ago),
            last_active_at=now - timedelta(hours=person.active_hours_ago),
            search_text=search_text_for(
                display_name=person.display_name,
                username=person.username,
                headline=person.headline,
                skill_names=person.skills,
            ),
        )


def _write_departments() -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in DEPARTMENTS:
        department = Department.objects.filter(slug=spec.slug).first()
        if department is None:
            department = Department(slug=spec.slug, name=spec.name, parent_id=ids.get(spec.parent))
            department.save()
        ids[spec.slug] = department.pk
    return ids


def _write_offices() -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in OFFICES:
        office, _created = Office.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.city, "city": spec.city, "country": spec.country}
        )
        ids[spec.slug] = office.pk
    return ids


def _write_skills(plan: _Plan) -> dict[str, int]:
    names: dict[str, str] = {}
    for person in plan.people:
        for name in person.skills:
            names.setdefault(skill_slug(name), name)
    Skill.objects.bulk_create(
        [Skill(slug=slug, name=name) for slug, name in names.items()], ignore_conflicts=True
    )
    return dict(Skill.objects.filter(slug__in=list(names)).values_list("slug", "pk"))


def _store_avatars(plan: _Plan, stored: list[str]) -> dict[int, str]:
    """Draw and store the planned avatars under random names; returns person index -> name."""
    names: dict[int, str] = {}
    for person in plan.people:
        if person.avatar_colour is None:
            continue
        data = avatar_webp(person.avatar_initials, person.avatar_colour, settings.AVATAR_SIZE)
        name = default_storage.save(f"avatars/{uuid.uuid4().hex}.webp", ContentFile(data))
        stored.append(name)
        names[person.index] = name
    return names


def _write_users(plan: _Plan) -> list[int]:
    """Insert every planned user with the demo password (hashed once); returns their pks,
    in the order of ``plan.people``."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = [
        User(
            username=person.username,
            email=f"{person.username}@{EMAIL_DOMAIN}",
            first_name=person.first_name,
            last_name=person.last_name,
            password=password,
            is_staff=person.admin,
            is_superuser=person.admin,
            date_joined=datetime.combine(
                plan.today - timedelta(days=person.hire_days_ago), time(9), tzinfo=UTC
            ),
        )
        for person in plan.people
    ]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    if all(user.pk is not None for user in users):
        return [user.pk for user in users]
    # Databases that cannot return ids from a bulk insert: look them up by username.
    pk_by_username: dict[str, int] = {}
    usernames = [person.username for person in plan.people]
    for start in range(0, len(usernames), 500):
        chunk = usernames[start : start + 500]
        pk_by_username.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
    return [pk_by_username[person.username] for person in plan.people]


def _count_of(model: type[models.Model], key: str) -> Coalesce:
    rows = model.objects.filter(**{key: OuterRef("pk")}).order_by().values(key)
    rows = rows.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _recount_graph() -> None:
    """Set every profile's follower, following and connection counts from the rows."""
    Profile.objects.update(
        follower_count=_count_of(Follow, "followee"),
        following_count=_count_of(Follow, "follower"),
        connection_count=_count_of(Connection, "profile"),
    )


def _make_hr_officer(user_id: int) -> None:
    group, _created = Group.objects.get_or_create(name=HR_GROUP)
    permission = Permission.objects.get(content_type__app_label="profiles", codename="manage_employment")
    group.permissions.add(permission)
    group.user_set.add(user_id)
