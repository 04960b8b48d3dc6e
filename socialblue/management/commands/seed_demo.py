"""``manage.py seed_demo``: fill an empty database with a believable demo company.

It lives in the project package because it draws on every app, through the ``demo`` package:
the people and their graph (``demo.company``), their employment history and alumni profiles
(``demo.history``), their posts (``demo.posts``), then their photo albums (``demo.albums``).
Only this command imports ``demo``; the product runs without it."""

import contextlib
import logging
import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError, CommandParser

try:
    from demo import albums as demo_albums
    from demo import company as demo_company
    from demo import history as demo_history
    from demo import posts as demo_posts
except ModuleNotFoundError as missing:  # a production install has no demo extras
    raise SystemExit(
        f"seed_demo needs the demo's extras ({missing.name} is missing): "
        "pip install --require-hashes -r requirements.lock -r requirements-demo.lock"
    ) from missing


class Command(BaseCommand):
    help = (
        "Build a demo company (departments, offices, people, avatars, follows and connections, "
        "employment history and alumni profiles, posts with comments and likes, photo albums) "
        "into a database that has no people yet, and print the demo sign-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--employees",
            type=int,
            default=demo_company.DEFAULT_EMPLOYEES,
            help=f"People in the company, alumni included (default {demo_company.DEFAULT_EMPLOYEES}, "
            f"at least {demo_company.MIN_EMPLOYEES}).",
        )
        parser.add_argument(
            "--avatars",
            type=int,
            default=demo_company.DEFAULT_AVATARS,
            help=f"Draw avatars for at most this many people (default {demo_company.DEFAULT_AVATARS}).",
        )
        parser.add_argument(
            "--albums",
            type=int,
            default=demo_albums.DEFAULT_ALBUMS,
            help=f"Photo albums to build, whatever the size of the company (default "
            f"{demo_albums.DEFAULT_ALBUMS}; 0 for none).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo_company.DEFAULT_SEED,
            help="The same seed builds the same company (default %(default)s).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, if the database already has people.",
        )

    def handle(
        self, *args, employees: int, avatars: int, albums: int, seed: int, if_empty: bool, **options
    ) -> None:
        self.verbosity = options["verbosity"]
        if employees < demo_company.MIN_EMPLOYEES:
            raise CommandError(f"--employees must be at least {demo_company.MIN_EMPLOYEES}.")
        if avatars < 0:
            raise CommandError("--avatars cannot be negative.")
        if albums < 0:
            raise CommandError("--albums cannot be negative.")
        if if_empty and demo_company.database_has_people():
            self.stdout.write("The database already has people; seed_demo left it as it is.")
            return
        started = time.monotonic()
        try:
            company = demo_company.build_demo_company(
                employees=employees, avatars=avatars, seed=seed, progress=self._progress
            )
        except demo_company.DatabaseNotEmpty as error:
            raise CommandError(
                "The database already has people: seed_demo builds a company into an empty database "
                "(pass --if-empty to skip quietly)."
            ) from error
        self._progress("Writing employment history and alumni profiles…")
        periods = demo_history.build_demo_history(company.employment, seed=seed)
        posts = demo_posts.build_demo_posts(seed=seed)
        self._progress("Drawing photo albums and running them through the photo pipeline…")
        with self._quiet_inline_tasks():
            built = demo_albums.build_demo_albums(records=company.employment, seed=seed, albums=albums)
        self._report(company, periods, posts, built, time.monotonic() - started)

    @contextlib.contextmanager
    def _quiet_inline_tasks(self) -> Iterator[None]:
        """Below verbosity 2, hush the log lines of tasks run inline: in the embedded default
        every processed photo and fan-out logs a line (and kombu a note about the in-memory
        broker), which would bury the summary and the sign-ins."""
        if self.verbosity >= 2:
            yield
            return
        levels = {"celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}
        loggers = {name: logging.getLogger(name) for name in levels}
        before = {name: logger.level for name, logger in loggers.items()}
        for name, logger in loggers.items():
            logger.setLevel(levels[name])
        try:
            yield
        finally:
            for name, logger in loggers.items():
                logger.setLevel(before[name])

    def _progress(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)

    def _report(
        self,
        company: demo_company.DemoCompany,
        periods: int,
        posts: int,
        albums: demo_albums.DemoAlbums,
        seconds: float,
    ) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Built a demo company in {seconds:.1f} s: {company.people:,} people "
                f"({company.alumni:,} alumni) in {company.departments} departments and "
                f"{company.offices} offices in {company.countries} countries; "
                f"{company.connections:,} connections, {company.follows:,} follows, "
                f"{company.pending_requests:,} pending connection requests, {company.avatars:,} avatars, "
                f"{periods:,} employment periods, {company.alumni:,} alumni profiles, {posts:,} posts, "
                f"{albums.albums} photo albums with {albums.photos} photos."
            )
        )
        rows = [("role", "username", "name")] + [
            (s.role, s.username, s.display_name) for s in company.sign_ins
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        rows.insert(1, tuple("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every account's password is: {company.password})")
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
