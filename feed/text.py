"""Plain text of posts and comments, rendered safely: escaped, with links and @mentions."""

import re

from django.utils.html import escape, urlize
from django.utils.safestring import SafeString

# A mention is @ + a username (letters, digits, . _ -), not preceded by a word character, so
# e-mail addresses are not mentions. A trailing dot ends a sentence, not the username.
MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.\-]{1,150})")


def mentioned_usernames(text: str) -> list[str]:
    names = []
    for match in MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-")
        if name and name not in names:
            names.append(name)
    return names[:50]


def render_html(text: str) -> SafeString:
    """The text as HTML: everything escaped, http(s) links and @mentions made into links
    (``rel="nofollow noopener"``), line breaks kept. Never raw HTML from the author."""
    html = urlize(text or "", nofollow=True, autoescape=True)
    html = html.replace('rel="nofollow"', 'rel="nofollow noopener" target="_blank"')

    def mention(match: re.Match) -> str:
        name = match.group(1).rstrip(".-")
        rest = match.group(1)[len(name) :]
        return f'<a class="mention" href="/people/{escape(name)}/">@{escape(name)}</a>{rest}'

    # Mentions only in text, never inside a tag (an href of a link made above).
    parts = re.split(r"(<[^>]+>)", html)
    parts = [part if part.startswith("<") else MENTION.sub(mention, part) for part in parts]
    return SafeString("".join(parts).replace("\n", "<br>"))
