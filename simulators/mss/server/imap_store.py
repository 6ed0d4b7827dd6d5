"""pymap mailbox data over `MssStore`: IMAP folders whose messages are durable rows.

We reuse pymap's in-memory dict backend for what IMAP needs in memory (mod-sequences, selected
sets, session flags) and make every state change write through to the store first, in a worker
thread. The store allocates UIDs, so a message delivered by SMTP while a client is connected is
picked up by `sync` (on NOOP, SELECT, STATUS, IDLE wake-up) with its store UID; deliveries made by
another bench process sharing the database are noticed by a periodic re-check. Message bodies
are loaded lazily, on the first FETCH that needs them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol
from datetime import datetime, UTC

from pymap.backend.dict.mailbox import MailboxData, MailboxSet, Message
from pymap.concurrent import Event
from pymap.flags import FlagOp
from pymap.interfaces.message import CachedMessage
from pymap.listtree import ListTree
from pymap.mime import MessageContent
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials import FetchRequirement, ObjectId
from pymap.parsing.specials.flag import Flag, Recent, Wildcard, get_system_flags
from pymap.selected import SelectedMailbox

from .imap_bodystructure import StoreLoadedMessage
from .imap_extensions import SPECIAL_USE
from ..store import INBOX, Delivery, MssStore

Loader = Callable[[], Awaitable[bytes | None]]
RECHECK_S = 2.0  # deliveries by another process (PostgreSQL deployments) are seen within this delay


FOLDER_NAME_MAX = 200
FOLDER_DEPTH_MAX = 16


def folder_name_refusal(name: str, delimiter: str = "/") -> bytes:
    """Why a folder name cannot be created ("" when it can): empty or dot segments, control characters,
    absurd length or depth. Such names are path-traversal probes or client bugs, never real folders."""
    segments = name.split(delimiter)
    if not name or len(name.encode("utf-8", "surrogateescape")) > FOLDER_NAME_MAX:
        return b"Invalid folder name: empty or too long."
    if len(segments) > FOLDER_DEPTH_MAX:
        return b"Invalid folder name: too deep."
    if any(seg in ("", ".", "..") or seg != seg.strip() for seg in segments):
        return b"Invalid folder name: empty, '.' or '..' level."
    if any(ord(ch) < 0x20 or ch in "\x7f\\*%" for ch in name):
        return b"Invalid folder name: control or wildcard character."
    return b""


class Watcher(Protocol):
    def watches(self, session: str, address: str) -> bool: ...

    def forget(self, session: str, address: str) -> None: ...


class DeliveryWaker:
    """Store listener (called in the delivering thread): wakes the IMAP sessions of a box on their loop,
    once per burst of deliveries, and only when a session has that box loaded (a delivery to a box
    nobody watches costs no loop wake-up)."""

    def __init__(self, loop: Any, watcher: Watcher) -> None:
        self.loop = loop
        self.watcher = watcher
        self._pending: set[tuple[str, str]] = set()  # wake-ups scheduled on the loop, not run yet
        self._guard = threading.Lock()

    def __call__(self, session: str, address: str) -> None:
        key = (session, address)
        if not self.watcher.watches(*key):
            return
        with self._guard:
            if key in self._pending:
                return
            self._pending.add(key)
        self.loop.call_soon_threadsafe(self._wake, key)

    def _wake(self, key: tuple[str, str]) -> None:
        with self._guard:
            self._pending.discard(key)
        self.watcher.forget(*key)


class StoreMessage(Message):
    __slots__ = ["_loader"]

    def __init__(self, uid: int, internal_date: datetime, permanent_flags: Iterable[Flag], *, loader: Loader,
                 expunged: bool = False, recent: bool = False, content: MessageContent | None = None) -> None:
        super().__init__(uid, internal_date, permanent_flags, expunged=expunged, recent=recent, content=content)
        self._loader = loader

    @classmethod
    def copy(cls, msg: Message, *, uid: int | None = None, recent: bool = False,
             expunged: bool = False) -> StoreMessage:
        if not isinstance(msg, StoreMessage):  # this backend's folders hold StoreMessage rows only
            raise TypeError(f"copie d'un {type(msg).__name__} : seul un StoreMessage se copie")
        return cls(msg.uid if uid is None else uid, msg.internal_date, msg.permanent_flags,
                   loader=msg._loader, expunged=expunged, recent=recent, content=msg._content)

    async def load_content(self, requirement: FetchRequirement) -> StoreLoadedMessage:
        if self._content is None and requirement & FetchRequirement.CONTENT:
            raw = await self._loader()
            self._content = MessageContent.parse(raw or b"\r\n")
        return StoreLoadedMessage(self, requirement, self._content)


def _flags_text(flags: Iterable[Flag]) -> tuple[str, ...]:
    return tuple(sorted(bytes(f).decode("ascii", "replace") for f in flags))


class StoreMailbox(MailboxData):
    def __init__(self, box: StoreMailboxSet, folder: str, uid_validity: int, next_uid: int) -> None:
        super().__init__(box._content_cache, box._thread_cache)
        self.box = box
        self.folder = folder
        self._uid_validity = uid_validity
        self._max_uid = max(next_uid - 1, 0)
        self._synced_uid = 0
        self._seen_change = -1
        self._checked_at = 0.0

    @property
    def permanent_flags(self) -> frozenset[Flag]:
        """System flags and `\\*`: clients may store keywords such as `$MDNSent` (RFC 8098 §5), which persist."""
        return (get_system_flags() - {Recent}) | {Wildcard}

    def _loader(self, uid: int) -> Loader:
        store, session, address, folder = self.box.store, self.box.session, self.box.address, self.folder

        async def load() -> bytes | None:
            return await asyncio.to_thread(store.raw, session, address, folder, uid)
        return load

    async def sync(self) -> None:
        """Pull rows the store got from elsewhere (SMTP delivery, another process) since the last sync."""
        key = (self.box.session, self.box.address)
        change = self.box.store.changes[key]
        now = time.monotonic()
        if change == self._seen_change and now - self._checked_at < RECHECK_S:
            return
        self._checked_at = now
        rows = await asyncio.to_thread(self.box.store.messages, self.box.session, self.box.address, self.folder,
                                       after_uid=self._synced_uid)
        async with self.messages_lock.write_lock():
            added = []
            for row in rows:
                if row.uid not in self._messages:
                    when = datetime.fromtimestamp(row.internal_date, UTC)
                    self._messages[row.uid] = StoreMessage(row.uid, when, [Flag(f.encode()) for f in row.flags],
                                                           loader=self._loader(row.uid), recent=self._seen_change >= 0)
                    added.append(row.uid)
                self._synced_uid = max(self._synced_uid, row.uid)
                self._max_uid = max(self._max_uid, row.uid)
            if added:
                self._mod_sequences.update(added)
                self._updated.set()
            self._seen_change = change

    async def update_selected(self, selected: SelectedMailbox, *, wait_on: Event | None = None) -> SelectedMailbox:
        if wait_on is not None:
            await wait_on.or_event(self._updated).wait()
        await self.sync()
        return await super().update_selected(selected)

    async def snapshot(self):
        await self.sync()
        return await super().snapshot()

    async def _store_new(self, raw: bytes, flags: tuple[str, ...], recent: bool, when: datetime | None,
                         content: MessageContent | None) -> StoreMessage:
        box = self.box
        [uid] = await asyncio.to_thread(box.store.deliver, box.session,
                                        [Delivery(box.address, raw, folder=self.folder, flags=flags)])
        async with self.messages_lock.write_lock():
            message = self._messages.get(uid)
            if message is None:
                message = StoreMessage(uid, when or datetime.now(UTC), [Flag(f.encode()) for f in flags],
                                       loader=self._loader(uid), recent=recent, content=content)
                self._messages[uid] = message
            self._max_uid = max(self._max_uid, uid)
            self._mod_sequences.update([uid])
            self._updated.set()
        return message  # type: ignore[return-value]

    async def append(self, append_msg: AppendMessage, *, recent: bool = False) -> Message:
        raw = bytes(append_msg.literal)
        return await self._store_new(raw, _flags_text(append_msg.flag_set), recent, append_msg.when,
                                     MessageContent.parse(raw))

    async def copy(self, uid: int, destination: MailboxData, *, recent: bool = False) -> int | None:
        message = self._messages.get(uid)
        if message is None or not isinstance(destination, StoreMailbox):
            return None
        raw = await message._loader()  # type: ignore[attr-defined]
        if raw is None:
            return None
        copied = await destination._store_new(raw, _flags_text(message.permanent_flags), recent,
                                              message.internal_date, message._content)
        return copied.uid

    async def move(self, uid: int, destination: MailboxData, *, recent: bool = False) -> int | None:
        new_uid = await self.copy(uid, destination, recent=recent)
        if new_uid is not None:
            await self.delete([uid])
        return new_uid

    async def update(self, uid: int, cached_msg: CachedMessage, flag_set: frozenset[Flag], mode: FlagOp) -> Message:
        message = await super().update(uid, cached_msg, flag_set, mode)
        if uid in self._messages:
            await asyncio.to_thread(self.box.store.set_flags, self.box.session, self.box.address, self.folder,
                                    {uid: _flags_text(message.permanent_flags)})
        return message

    async def delete(self, uids: Iterable[int]) -> None:
        wanted = list(uids)
        await asyncio.to_thread(self.box.store.expunge, self.box.session, self.box.address, self.folder, wanted)
        await super().delete(wanted)


class StoreMailboxSet(MailboxSet):
    """The folders of one mailbox (address) in one session."""

    def __init__(self, store: MssStore, session: str, address: str) -> None:
        super().__init__()
        self.store, self.session, self.address = store, session, address.lower()
        self.generation = store.generations[session]

    async def load(self) -> StoreMailboxSet:
        names = await asyncio.to_thread(self.store.folders, self.session, self.address)
        names = [*names, *(n for n in SPECIAL_USE if n not in names)]  # created at first IMAP login, like Dovecot
        for name in names:
            mbx = await self._open(name, create=name in SPECIAL_USE)
            if name == INBOX:
                self._inbox = mbx
            else:
                self._set[name] = mbx
        return self

    async def _open(self, name: str, *, create: bool = False) -> StoreMailbox:
        state = await asyncio.to_thread(self.store.folder, self.session, self.address, name, create=create)
        validity, next_uid = state or (1, 1)
        mbx = StoreMailbox(self, name, validity, next_uid)
        await mbx.sync()
        return mbx

    async def add_mailbox(self, name: str) -> ObjectId:
        if name in self._set or name.upper() == INBOX:
            raise ValueError(name)
        self._set[name] = mbx = await self._open(name, create=True)
        return mbx.mailbox_id

    async def delete_mailbox(self, name: str) -> None:
        if name not in self._set:
            raise KeyError(name)
        await asyncio.to_thread(self.store.delete_folder, self.session, self.address, name)
        del self._set[name]

    async def rename_mailbox(self, before: str, after: str) -> None:
        tree = ListTree(self.delimiter).update("INBOX", *self._set.keys())
        if tree.get(before) is None:
            raise KeyError(before)
        if tree.get(after) is not None:
            raise ValueError(after)
        for before_name, after_name in tree.get_renames(before, after):
            await asyncio.to_thread(self.store.rename_folder, self.session, self.address, before_name, after_name)
            if before_name == INBOX:
                self._set[after_name] = await self._open(after_name)
                self._inbox = await self._open(INBOX)
            else:
                mbx = self._set.pop(before_name)
                assert isinstance(mbx, StoreMailbox), "this set only opens StoreMailbox folders"
                mbx.folder = after_name
                self._set[after_name] = mbx
