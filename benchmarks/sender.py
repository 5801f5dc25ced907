"""The sender checks and the mailbox lease: what they cost per message and per run.

    python benchmarks/sender.py [--messages 5000] [--database-url postgresql://...]

- From parsing: the strict reader (`flows.intake.sender_address`) against the baseline of
  Python's `email` parser with `policy.default` on the same headers (what the envelope used);
- authentication verdict (`flows.intake.authenticity`) per message, Exchange and
  Authentication-Results variants;
- the lease: acquire + release, and one renewal, against a scratch ledger (a SQLite file, or a
  fresh schema in the PostgreSQL database given),
  beside the baseline of one `get_sync_state` read on the same ledger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.policy
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.intake.authenticity import verdict
from flows.intake.header_fields import header_fields
from flows.intake.sender_address import read_sender
from flows.ledger import Ledger
from flows.ledger.leases import Leases

HEADERS = [
    b"From: =?utf-8?q?Linn=C3=A9a_Strand?= <linnea.strand@ekeby.example>\r\n",
    b'From: "Strand, Linnea" <linnea.strand@ekeby.example>\r\n',
    b"From: linnea.strand@kommun <evil@attacker.example>\r\n",
    b"From: Kultur <kultur@ekeby.example>, Eve <eve@attacker.example>\r\n",
]
COMMON = (
    b"To: uppfoljning@ekeby.example\r\nSubject: SV: Uppf\xc3\xb6ljning [HBT26-KS-7]\r\n"
    b"X-MS-Exchange-Organization-AuthAs: Internal\r\n"
    b"X-MS-Exchange-Organization-AuthSource: EX01.ekeby.example\r\n"
    b"Authentication-Results: mx.ekeby.example; spf=pass smtp.mailfrom=ekeby.example;\r\n"
    b" dkim=pass (signature verified) header.d=ekeby.example;\r\n"
    b" dmarc=pass header.from=ekeby.example\r\n"
    b"\r\nText\r\n"
)


@contextmanager
def _scratch(database_url: str | None, tmp: Path) -> Iterator[str]:
    """A throwaway ledger: a SQLite file, or a fresh schema (dropped after) in PostgreSQL."""
    if not database_url:
        yield f"sqlite:///{tmp / 'ledger.sqlite'}"
        return
    import psycopg

    schema = f"followup_bench_{secrets.token_hex(6)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            database_url.replace("postgresql://", "postgresql+psycopg://", 1)
            + f"?options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _per_call(work: Callable[[], object], n: int) -> float:
    """Median microseconds per call over five rounds of n calls."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            work()
        rounds.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    raws = [h + COMMON for h in HEADERS]
    n = max(1, args.messages // len(raws))

    def strict() -> None:
        for raw in raws:
            fields = header_fields(raw)
            identity = read_sender(fields)
            verdict(
                fields, identity.address, trusted_authserv_ids=["mx.ekeby.example"], exchange=True
            )

    def baseline() -> None:
        for raw in raws:
            headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
            _ = headers["From"].addresses

    strict_us = _per_call(strict, n) / len(raws)
    baseline_us = _per_call(baseline, n) / len(raws)
    print(f"sender checks (From + authentication), per message: {strict_us:.1f} µs")
    print(f"baseline, email policy.default From parse, per message: {baseline_us:.1f} µs")

    with tempfile.TemporaryDirectory() as tmp, _scratch(args.database_url, Path(tmp)) as url:
        with Ledger.open(url) as ledger:
            leases = Leases(ledger.engine)
            ttl = dt.timedelta(minutes=5)

            def take_and_give() -> None:
                assert leases.acquire("mailbox/bench/x", "bench", ttl)
                assert leases.release("mailbox/bench/x", "bench")

            leases.acquire("mailbox/bench/y", "bench", ttl)
            lease_ms = _per_call(take_and_give, 50) / 1000
            renew_ms = _per_call(lambda: leases.renew("mailbox/bench/y", "bench", ttl), 50) / 1000
            read_ms = _per_call(lambda: ledger.get_sync_state("inbox"), 50) / 1000
        backend = url.split(":", 1)[0]
        print(f"lease acquire + release ({backend}): {lease_ms:.2f} ms; renewal {renew_ms:.2f} ms")
        print(f"baseline, one sync-state read on the same ledger: {read_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
