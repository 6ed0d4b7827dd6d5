"""The IMAP wake-up on delivery: only for a box a session has loaded, once per burst, again after."""

from __future__ import annotations

from simulators.mss.server.imap_store import DeliveryWaker


class FakeLoop:
    def __init__(self) -> None:
        self.scheduled: list = []

    def call_soon_threadsafe(self, fn, *args) -> None:
        self.scheduled.append((fn, args))

    def run(self) -> None:
        ready, self.scheduled = self.scheduled, []
        for fn, args in ready:
            fn(*args)


class FakeLogin:
    def __init__(self, loaded: set[tuple[str, str]]) -> None:
        self.loaded = loaded
        self.forgotten: list[tuple[str, str]] = []

    def watches(self, session: str, address: str) -> bool:
        return address == "*" or (session, address) in self.loaded

    def forget(self, session: str, address: str) -> None:
        self.forgotten.append((session, address))


def test_a_delivery_to_an_unwatched_box_does_not_wake_the_loop() -> None:
    loop, login = FakeLoop(), FakeLogin({("s", "crip@x.fr")})
    waker = DeliveryWaker(loop, login)
    waker("s", "other@x.fr")
    assert loop.scheduled == []
    waker("s", "*")  # a dropped session always wakes
    loop.run()
    assert login.forgotten == [("s", "*")]


def test_a_burst_wakes_once_and_a_later_delivery_wakes_again() -> None:
    loop, login = FakeLoop(), FakeLogin({("s", "crip@x.fr")})
    waker = DeliveryWaker(loop, login)
    for _ in range(5):
        waker("s", "crip@x.fr")
    assert len(loop.scheduled) == 1
    loop.run()
    assert login.forgotten == [("s", "crip@x.fr")]
    waker("s", "crip@x.fr")
    loop.run()
    assert login.forgotten == [("s", "crip@x.fr")] * 2
