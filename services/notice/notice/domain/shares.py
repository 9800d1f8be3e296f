"""Learning shares: experiences and questions posted to a group, and replies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from notice.domain import events
from notice.domain.errors import InvalidArgument, NotFound
from notice.domain.text import required_text
from notice.domain.kinds import ShareKind

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 20000
MAX_LIST = 100


@dataclass
class Share:
    share_id: str
    group_id: str
    kind: ShareKind
    title: str
    body: str
    author_id: str
    posted_at: datetime
    reply_to: str = ""
    replies: list["Share"] = field(default_factory=list)
    events: list = field(default_factory=list, compare=False, repr=False)


def new_share(*, share_id: str, group_id: str, kind: ShareKind | None, title: str, body: str, author_id: str,
              now: datetime, parent: Share | None, reply_to: str) -> Share:
    """``parent`` is the share that ``reply_to`` names, if it was found."""
    body = required_text(body, "body", MAX_BODY_CHARS)
    if reply_to:
        if parent is None or parent.group_id != group_id:
            raise NotFound(f"no share {reply_to!r} in this group", field="reply_to")
        if parent.reply_to:
            raise InvalidArgument("replies answer a top-level share, not another reply", field="reply_to")
        title = title.strip()
        if len(title) > MAX_TITLE_CHARS:
            raise InvalidArgument(f"at most {MAX_TITLE_CHARS} characters", field="title")
        share = Share(share_id, group_id, ShareKind.REPLY, title, body, author_id, now, reply_to=parent.share_id)
    else:
        if kind not in (ShareKind.EXPERIENCE, ShareKind.QUESTION):
            raise InvalidArgument("must be an experience or a question", field="kind")
        share = Share(share_id, group_id, kind, required_text(title, "title", MAX_TITLE_CHARS), body, author_id, now)
    share.events.append(events.LearningSharePosted(share.share_id, group_id, share.title, share.body, author_id, now,
                                                   share.reply_to, share.kind.value))
    return share
