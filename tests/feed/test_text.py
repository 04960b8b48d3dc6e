"""Posts and comments are plain text, rendered safely (``feed/text.py``): everything escaped,
http(s) links and @mentions made into links, line breaks kept. Pure: ``make test-fast`` runs
these without services; ``tests/feed/test_posts.py`` shows the same text behind the API."""

import pytest

from feed.text import mentioned_usernames, render_html

pytestmark = pytest.mark.pure


def test_html_in_the_text_is_shown_as_text_never_run():
    html = render_html('<script>alert("hi")</script><img src=x onerror=alert(1)>')

    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_links_and_mentions_become_safe_links():
    html = render_html("Design review with @priya, notes at https://wiki.example.com/review?id=7 .")

    assert '<a class="mention" href="/people/priya/">@priya</a>,' in html
    assert (
        '<a href="https://wiki.example.com/review?id=7" rel="nofollow noopener" target="_blank">'
        "https://wiki.example.com/review?id=7</a>"
    ) in html


def test_a_mention_inside_a_link_stays_part_of_the_link():
    html = render_html("See https://example.com/@priya/profile")

    assert 'class="mention"' not in html


def test_line_breaks_are_kept():
    assert render_html("first line\nsecond line") == "first line<br>second line"


def test_an_email_address_is_not_a_mention_and_a_javascript_url_is_not_a_link():
    text = "Mail ana@company.example or try javascript:alert(1)"

    assert mentioned_usernames(text) == []
    html = render_html(text)
    assert 'href="mailto:ana@company.example"' in html
    assert "javascript:alert(1)</a>" not in html
    assert 'href="javascript' not in html


def test_a_mention_cannot_smuggle_html_into_the_page():
    html = render_html('@x"><script>alert(1)</script>')

    assert "<script" not in html


def test_each_person_is_mentioned_once_and_a_sentence_end_is_not_part_of_the_name():
    assert mentioned_usernames("@priya and @marco. Thanks @priya!") == ["priya", "marco"]


def test_a_text_mentions_at_most_fifty_people():
    assert len(mentioned_usernames(" ".join(f"@person{n}" for n in range(80)))) == 50
