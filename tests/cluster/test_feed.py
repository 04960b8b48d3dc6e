"""The home feed on the production topology, told as a person would see it from the outside:
through nginx and straight from each server, with the timelines on a three-primary Redis
Cluster and the fan-out on two workers. Whichever door a request comes in by, the feed is the
same, newest first, and shows only what its reader may see.
"""

from feed import timelines
from profiles.models import ProfileStatus
from tests.cluster.topology import (
    FRONT,
    SERVERS,
    copies,
    feed_ids,
    follows,
    held_once,
    operator,
    person,
    posted,
    primary_of,
    publish,
    request,
    store,
    timeline_built,
    wait_for,
)


def held_nowhere(reader, activity_id: int) -> bool:
    return copies(activity_id, [reader.pk])[reader.pk] in (0, -1)


def everywhere(reader) -> list[list[int]]:
    """The reader's feed as nginx and each server answer it."""
    return [feed_ids(url, reader.token) for url in (FRONT, *SERVERS)]


def test_a_feed_reads_newest_first_whichever_server_answers():
    ana, marco = person("ana"), person("marco")
    follows(ana, marco)
    timeline_built(ana)

    first = publish(FRONT, marco.token, "Monday: the migration starts")
    second = publish(SERVERS[0], marco.token, "Tuesday: half the tables moved")
    third = publish(SERVERS[1], marco.token, "Wednesday: done")

    wait_for(lambda: held_once(ana, first, second, third), what=lambda: "the three posts in Ana's timeline")
    for page in everywhere(ana):
        assert page[:3] == [third, second, first]


def test_each_reader_sees_only_what_they_may():
    marco, priya = person("marco"), person("priya")
    olu = person("olu", status=ProfileStatus.ALUMNUS)
    follows(priya, marco)
    follows(olu, marco)
    timeline_built(priya)
    timeline_built(olu)

    inside = publish(FRONT, marco.token, "Q3 numbers, for the company only", visibility="company")
    outside = publish(FRONT, marco.token, "We are hiring: tell your friends", visibility="network")

    wait_for(lambda: held_once(priya, inside, outside) and held_once(olu, outside))
    for page in everywhere(priya):
        assert page[:2] == [outside, inside]
    for page in everywhere(olu):
        assert outside in page and inside not in page
    assert held_nowhere(olu, inside)


def test_a_deleted_post_leaves_every_feed():
    ana, marco = person("ana"), person("marco")
    follows(ana, marco)
    timeline_built(ana)
    kept = publish(FRONT, marco.token, "Lunch at noon")
    post_id, regretted = posted(FRONT, marco.token, "Lunch at 11 (no, noon)")
    wait_for(lambda: held_once(ana, kept, regretted))

    assert request(SERVERS[1], marco.token, "DELETE", f"posts/{post_id}/").status == 204

    wait_for(lambda: held_nowhere(ana, regretted), what=lambda: "the deleted post out of Ana's timeline")
    for page in everywhere(ana):
        assert regretted not in page and kept in page


def test_after_an_unfollow_the_authors_posts_leave_the_feed():
    ana, marco, priya = person("ana"), person("marco"), person("priya")
    follows(ana, marco)
    follows(ana, priya)
    timeline_built(ana)
    from_marco = publish(FRONT, marco.token, "Team offsite photos soon")
    from_priya = publish(FRONT, priya.token, "New brand colours are out")
    wait_for(lambda: held_once(ana, from_marco, from_priya))

    assert request(SERVERS[0], ana.token, "DELETE", f"profiles/{marco.username}/follow/").status in (200, 204)

    wait_for(lambda: held_nowhere(ana, from_marco), what=lambda: "Marco's post out of Ana's timeline")
    for page in everywhere(ana):
        assert from_marco not in page and from_priya in page


def test_a_flushed_primary_costs_nothing_its_readers_had():
    ana, marco = person("ana"), person("marco")
    follows(ana, marco)
    timeline_built(ana)
    posts = [publish(FRONT, marco.token, f"Release notes, part {n}") for n in (1, 2, 3)]
    wait_for(lambda: held_once(ana, *posts))
    before = feed_ids(FRONT, ana.token)

    # The operator empties the primary that holds Ana's timeline.
    port = int(primary_of(ana.pk).removeprefix("redis-"))
    node = store().get_node(host="127.0.0.1", port=port)
    store().get_redis_connection(node).flushall()
    assert not timelines.exists(ana.pk)

    # Her next read is whole (from the database), and rebuilds her timeline.
    assert feed_ids(FRONT, ana.token) == before
    wait_for(lambda: held_once(ana, *posts), what=lambda: "Ana's timeline rebuilt")
    for page in everywhere(ana):
        assert page == before
    assert operator("status")
