"""Incremental fetch over Graph against a model: whatever mix of new mail, processing and
expired delta tokens, every message comes exactly once until it is processed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.mail.graph import GraphMailbox
from tests.support.graph_server import GraphServer
from tests.support.graph_server.fixtures import graph_settings, inbound

Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.integers(1, 3)),
        st.tuples(st.just("fetch"), st.just(0)),
        st.tuples(st.just("process"), st.integers(0, 5)),
        st.tuples(st.just("expire"), st.just(0)),
    ),
    max_size=25,
)


@pytest.fixture(scope="module")
def server() -> Iterator[GraphServer]:
    with GraphServer() as server:
        yield server


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(script=steps)
def test_each_message_comes_once_until_processed(
    server: GraphServer, monkeypatch: pytest.MonkeyPatch, script: list[Step]
) -> None:
    server.reset()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    delivered: set[str] = set()
    returned: list[str] = []
    unprocessed: list[str] = []
    state: str | None = None
    number = 0
    with GraphMailbox(graph_settings(page_size=2)) as box:

        def fetch() -> bool:
            nonlocal state
            result = box.fetch_new(state)
            returned.extend(m.id for m in result.messages)
            unprocessed.extend(m.id for m in result.messages)
            state = result.state
            return result.more

        for action, count in script:
            if action == "deliver":
                for _ in range(count):
                    number += 1
                    delivered.add(server.deliver(inbound(number=number)))
            elif action == "fetch":
                fetch()
            elif action == "process" and unprocessed:
                box.mark_processed(unprocessed.pop(count % len(unprocessed)), "accepted")
            elif action == "expire":
                server.expire_delta_tokens()
        # Mail that arrived while a sync was paging comes in the round after it.
        for _ in range(2):
            while fetch():
                pass

    assert sorted(returned) == sorted(set(returned)), "a message came twice"
    assert set(returned) == delivered, "a message was lost"
