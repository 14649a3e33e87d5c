"""Encryption: envelope throughput with cached keys, and a 50-account list page warm and cold."""

from __future__ import annotations

import os
import sys
import time
import uuid

from tests.perf.environment import BenchError, demo_credentials, last_json, script
from tests.perf.load import compare, measure
from tests.perf.registry import Figure, benchmark

PLAIN = "/bench/accounts/plain/"
ENCRYPTED = "/bench/accounts/encrypted/"
VALUE = ("Смирнова Анна Владимировна, +7 912 345-67-89, anna@example.test " * 2).encode()


def _throughput(seconds: float = 1.0) -> tuple[float, float]:
    """Single-thread encrypt and decrypt operations per second (one core), cached key."""
    from core.crypto import envelope

    key = os.urandom(32)
    aad = envelope.AssociatedData("demo", "residents_holding", uuid.uuid4(), "full_name")
    tokens = []
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        tokens.append(envelope.encrypt(VALUE, key, "k1", aad))
        count += 1
    encrypt_rate = count / (time.perf_counter() - start)
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        envelope.decrypt(tokens[count % len(tokens)], lambda _ref: key, aad)
        count += 1
    return encrypt_rate, count / (time.perf_counter() - start)


@benchmark("crypto", order=10)
def crypto(env):
    encrypt_rate, decrypt_rate = _throughput()
    yield Figure("crypto_encrypt_per_core", encrypt_rate, "ops/s", digits=0)
    yield Figure("crypto_decrypt_per_core", decrypt_rate, "ops/s", digits=0)

    env.ensure_database()
    output = env.run_python(
        script("crypto_page.py"), failure="crypto page benchmark failed", timeout=120
    )
    page = last_json(output)
    print(
        f"# 50-account list rendered in-process: plaintext {page['plain_ms']:.2f} ms, "
        f"warm {page['warm_ms']:.2f} ms, cold {page['cold_ms']:.2f} ms",
        file=sys.stderr,
    )
    yield from _http_pages(env)
    yield Figure("crypto_render_warm_vs_plaintext", page["warm_ms"] / page["plain_ms"], "ratio")
    yield Figure("crypto_render_cold_vs_plaintext", page["cold_ms"] / page["plain_ms"], "ratio")
    yield Figure("crypto_page_warm_provider_calls", page["warm_calls"], "calls", "<=", 0, 0)
    yield Figure("crypto_page_cold_provider_calls", page["cold_calls"], "calls", digits=0)
    yield Figure("crypto_page_cold_provider_waves", page["cold_waves"], "waves", "<=", 1, 0)


def _http_pages(env):
    """The same 50-account page over HTTP, decrypted vs plain columns, warm key cache."""
    server = env.server()
    email, password = demo_credentials("owner")
    headers = env.demo_login(email, password).headers()
    for path in (PLAIN, ENCRYPTED):
        check = server.request("GET", path, headers)
        if check.status != 200 or "B-0049" not in check.text:
            raise BenchError(f"{path} answered {check.status} without the 50 accounts")
        measure(server.port, path, headers, seconds=1.0, concurrency=env.concurrency)  # warm-up
    comparison = compare(
        server.port,
        (PLAIN, headers),
        (ENCRYPTED, headers),
        # Two pages this close need more rounds than the dashboard to rise above the noise.
        seconds=env.seconds * 2,
        concurrency=env.concurrency,
        rounds=9,
    )
    if comparison.errors:
        raise BenchError(f"{comparison.errors} failed requests to the account pages")
    print(
        f"# 50-account page over HTTP: plaintext {comparison.rps[PLAIN]:.0f} req/s, "
        f"encrypted {comparison.rps[ENCRYPTED]:.0f} req/s; rounds: "
        + ", ".join(f"{r:.2f}" for r in comparison.ratios),
        file=sys.stderr,
    )
    # Time per page, encrypted over plain (requests per second inverted), median of the rounds.
    ratio = comparison.ratio
    yield Figure("crypto_page_warm_vs_plaintext", ratio, "ratio", "<=", 1.3)
