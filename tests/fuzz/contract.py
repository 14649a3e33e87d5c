"""Fuzzing the API against its own OpenAPI schema (schemathesis), signed in as each role.

``fuzz(app, schema, role=, host=, cookies=, headers=)`` sends, for every operation of the schema
(``/api/schema/``, so a new endpoint is covered without a new test), ``examples`` generated
requests per generation mode through the WSGI application on the association's host, and checks
each answer: no 5xx, the status code documented, the content type and headers as documented, the
body matching the documented schema. Generation is derandomized (the same requests every run).
It returns a ``Report``: every failure (one per operation, check and status), and the counts.

``tests/fuzz/test_api_contract.py`` runs a bounded pass in ``make test``; ``make fuzz`` runs
``tests/fuzz`` with ``TSZH_FUZZ_EXAMPLES`` (more examples, negative data too) and prints the
summary (docs/development.md, "Fuzzing the API").
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
import werkzeug
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]

#: Examples per operation, role and mode: a few in ``make test``, more in ``make fuzz``.
EXAMPLES = int(os.environ.get("TSZH_FUZZ_EXAMPLES", "3"))
#: Generation modes: positive (valid by the schema) always; negative (invalid) in ``make fuzz``.
MODES = [
    GenerationMode(mode)
    for mode in os.environ.get("TSZH_FUZZ_MODES", "positive").split(",")
    if mode
]


@dataclass
class Report:
    role: str
    requests: int = 0
    operations: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def line(self) -> str:
        codes = " ".join(f"{code}:{n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.role:13} {self.operations:3} operations {self.requests:5} requests "
            f"{len(self.failures):3} failures {self.seconds:6.1f} s  [{codes}]"
        )


def fuzz(app, raw_schema: dict, *, role: str, host: str, cookies: dict, headers: dict) -> Report:
    schema = schemathesis.openapi.from_dict(raw_schema)
    # The role's cookies, kept for the association's host (schemathesis's own cookie handling
    # keeps cookies for "localhost" only).
    client = werkzeug.Client(app)
    for name, value in cookies.items():
        client.set_cookie(name, value, domain=host)
    report = Report(role=role)
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        for mode in MODES:
            _fuzz_operation(app, client, operation, mode, report, host, headers)
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(app, client, operation, mode, report, host, headers) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(
            app=app, session=client, base_url=f"http://{host}", headers=dict(headers)
        )
        report.requests += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=dict(headers))
        except (Exception, BaseExceptionGroup) as error:  # every failure is reported
            for failure in getattr(error, "exceptions", [error]):
                key = (operation.label, type(failure).__name__, response.status_code)
                report.failures.setdefault(
                    key,
                    f"{mode.value}: {failure}\n{case.as_curl_command()}\n"
                    f"answer: {response.text[:500]}",
                )

    run()
