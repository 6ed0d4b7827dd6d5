"""Deprecated path, kept for one release: use `simulators.mss.server.imap_store`."""

from simulators.mss.server.imap_store import (
    FOLDER_DEPTH_MAX,
    FOLDER_NAME_MAX,
    Loader,
    RECHECK_S,
    StoreMailbox,
    StoreMailboxSet,
    StoreMessage,
    folder_name_refusal,
)

__all__ = [
    "FOLDER_DEPTH_MAX",
    "FOLDER_NAME_MAX",
    "RECHECK_S",
    "Loader",
    "StoreMailbox",
    "StoreMailboxSet",
    "StoreMessage",
    "folder_name_refusal",
]
