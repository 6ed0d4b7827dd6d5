"""Where the directory comes from: the session's mailboxes (from the MSSanté operator) plus the
world's establishments, rebuilt only when the session's mailboxes change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping

from simulators.identities.model import Establishment

from .model import PublishedMailbox
from .resources import Directory, build_directory

MailboxSource = Callable[[str], Mapping[str, PublishedMailbox]]


def directory_source(mailboxes: MailboxSource,
                     establishments: Iterable[Establishment] = ()) -> Callable[[str], Directory]:
    world = tuple(establishments)
    cache: dict[tuple[str, int], Directory] = {}
    lock = threading.Lock()

    def directory(session: str) -> Directory:
        boxes = mailboxes(session)
        key = (session, hash(tuple(sorted((a, repr(b)) for a, b in boxes.items()))))
        with lock:
            if key not in cache:
                if len(cache) > 32:
                    cache.clear()
                cache[key] = build_directory(boxes.values(), world)
            return cache[key]
    return directory
