"""Connections spread evenly between the processes of `serve --workers N`.

With SO_REUSEPORT the kernel picks the process of a new connection by a hash of its addresses: a load
client with four keep-alive connections over two processes gets a 3-1 (or 4-0) split one time in two,
and the busy process answers at a third of the speed while the other idles. Here the processes share
one listening socket per port instead (the master binds it; each worker inherits it), and a process
accepts a pending connection only while it holds no more open connections on that port than any other
live process (least connections). The counts live in a small shared-memory array: one row per process
slot, one column per port.

A process that yields waits at most `PATIENCE_S` for a less busy one to accept (a process stuck or busy
in Python does not hold connections back longer than that), then accepts anyway. A slot whose process
ended is marked retired so nobody yields to it; its replacement starts from zero.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from cheroot import connections

log = logging.getLogger("socle_bench.balance")

PATIENCE_S = 0.05  # longest a yielding process leaves a pending connection to the others
_YIELD_SLEEP_S = 0.0003  # the selector wakes again at once while the connection is pending: pace it
RETIRED = 1 << 30  # the count of a slot without a live process: never the least busy


class Balance:
    """This process's view of the shared counts (`slots` rows × `ports` columns of C ints)."""

    def __init__(self, counts: Any, slots: int, ports: tuple[int, ...], slot: int) -> None:
        self.counts, self.slots, self.ports, self.slot = counts, slots, ports, slot
        self._lock = threading.Lock()  # our row is written by the selector (+1) and the request threads (-1)

    @classmethod
    def shared(cls, context: Any, slots: int, ports: tuple[int, ...]) -> Balance:
        """The master's view (slot 0) of counts in `multiprocessing` shared memory; `for_slot` gives the
        workers theirs, sent to them at spawn (the array travels with it)."""
        return cls(context.Array("i", slots * len(ports), lock=False), slots, ports, 0)

    def for_slot(self, slot: int) -> Balance:
        return Balance(self.counts, self.slots, self.ports, slot)

    def __reduce__(self) -> tuple[Any, ...]:
        return Balance, (self.counts, self.slots, self.ports, self.slot)

    def _cell(self, slot: int, column: int) -> int:
        return slot * len(self.ports) + column

    def join(self) -> None:
        """This process serves from now on: its row starts at zero."""
        with self._lock:
            for column in range(len(self.ports)):
                self.counts[self._cell(self.slot, column)] = 0

    def retire(self, slot: int) -> None:
        """The process of `slot` ended: nobody waits for it to accept."""
        for column in range(len(self.ports)):
            self.counts[self._cell(slot, column)] = RETIRED

    def port(self, port: int) -> PortBalance | None:
        return PortBalance(self, self.ports.index(port)) if port in self.ports else None

    def count(self, slot: int, column: int) -> int:
        return int(self.counts[self._cell(slot, column)])

    def add(self, column: int, delta: int) -> None:
        with self._lock:
            self.counts[self._cell(self.slot, column)] += delta


class PortBalance:
    """One port's column: may this process accept now, and its open connections."""

    def __init__(self, balance: Balance, column: int) -> None:
        self.balance, self.column = balance, column
        self._yielding_since = 0.0

    def my_turn(self) -> bool:
        b, column = self.balance, self.column
        mine = b.count(b.slot, column)
        fewest = min((b.count(s, column) for s in range(b.slots) if s != b.slot), default=RETIRED)
        if mine <= fewest:
            self._yielding_since = 0.0
            return True
        now = time.monotonic()
        if not self._yielding_since:
            self._yielding_since = now
        elif now - self._yielding_since >= PATIENCE_S:
            self._yielding_since = 0.0
            return True  # the less busy process did not take it in time
        return False

    def opened(self) -> None:
        self.balance.add(self.column, 1)

    def closed(self) -> None:
        self.balance.add(self.column, -1)


class BalancedConnections(connections.ConnectionManager):
    """cheroot's connection manager, accepting only on this process's turn; each accepted connection is
    counted until it closes (`counted_close`)."""

    def __init__(self, server: Any, port_balance: PortBalance) -> None:
        super().__init__(server)
        self.port_balance = port_balance

    def _from_server_socket(self, server_socket: Any) -> Any:
        if not self.port_balance.my_turn():
            time.sleep(_YIELD_SLEEP_S)
            return None
        conn = super()._from_server_socket(server_socket)  # type: ignore[misc]  # cheroot's stub omits it; None when another process took it first
        if conn is not None:
            self.port_balance.opened()
            conn.balance = self.port_balance
        return conn


def counted_close(conn: Any) -> None:
    """Called when a connection closes: the count it was accepted under goes down, once."""
    port_balance = conn.__dict__.pop("balance", None)
    if port_balance is not None:
        port_balance.closed()


def share(server: Any, port_balance: PortBalance, listening: Any = None) -> None:
    """Make a prepared, not yet serving, cheroot server accept through `port_balance` — on `listening`
    (the master's socket, inherited) instead of its own when given."""
    old = server._connections
    if listening is not None:
        own, server.socket = server.socket, listening
        own.close()
    server.socket.settimeout(0)  # another process may take a pending connection first: never wait in accept
    server._connections = BalancedConnections(server, port_balance)
    old._selector.close()
