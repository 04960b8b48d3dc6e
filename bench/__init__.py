"""SocialBlue's benchmarks: the feed against its floors and its peers.

``python -m bench`` (or ``make bench``) builds a company graph in its own PostgreSQL database
and Redis db, measures, prints a table and writes ``bench/results.md`` and
``bench/results.json``. ``--quick`` runs a smaller version. See :mod:`bench.__main__`.

The bench never touches the database or the Redis db it was pointed at (``DATABASE_URL``,
``REDIS_URL``, the test servers): it derives its own from them (:mod:`bench.env`).
"""
