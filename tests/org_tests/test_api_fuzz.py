"""Generated requests against every API operation find no 5xx.

Schemathesis draws requests from the API's own OpenAPI schema (valid and invalid bodies, query
strings and path ids) and sends them over HTTP to the project's ASGI app on a live test server,
authenticated as a community staff member and as a street reviewer. The run is bounded (a few
examples per operation) and seeded, so it is the same run every time and keeps the suite fast;
any 5xx fails with the request that caused it.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from tests.org_tests.throttles import forget_throttles

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = 6
SEED = 20261201
# Operations whose examples would end the session being tested or flood the throttles it shares.
SKIPPED = {("POST", "/api/auth/token/")}


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(generated)


def _real_values() -> dict[str, list]:
    """Ids and codes that exist, by path prefix: random ids alone would mostly meet a 404 before
    the body is read, so half the examples aim at real objects instead."""
    from viewflow.workflow.models import Task

    from forms.models import FormDefinition, FormVersion
    from notifications.models import Notification
    from workflows.expenses.models import ExpenseRequest
    from workflows.leases.models import Lease, LeaseRequest, RevenueReport
    from workflows.ledger.models import LedgerLine
    from workflows.org.models import OrgUnit, Room

    def ids(model):
        return list(model.objects.order_by("pk").values_list("pk", flat=True)[:20])

    return {
        "/api/expenses/{id}": ids(ExpenseRequest),
        "/api/ledger/{id}": ids(LedgerLine),
        "/api/tasks/{id}": ids(Task),
        "/api/rooms/{id}": ids(Room),
        "/api/leases/{id}": ids(Lease),
        "/api/lease-requests/{id}": ids(LeaseRequest),
        "/api/revenue-reports/{id}": ids(RevenueReport),
        "/api/org-units/{id}": ids(OrgUnit),
        "/api/notifications/{id}": ids(Notification),
        "/api/forms/designer/versions/{id}": ids(FormVersion),
        "/api/forms/{code}": list(FormDefinition.objects.values_list("code", flat=True)),
        "/api/forms/designer/definitions/{code}": list(FormDefinition.objects.values_list("code", flat=True)),
        "/api/exports/{kind}": ["rooms", "expenses", "ledger", "submissions", "users"],
        "/api/imports/{kind}": ["rooms", "expenses", "ledger", "submissions", "users"],
    }


def _aim_at_real_objects(case, real: dict[str, list], pick: int) -> None:
    for prefix, values in real.items():
        name = prefix.rsplit("{", 1)[1].rstrip("}")
        if values and case.operation.path.startswith(prefix) and name in (case.path_parameters or {}):
            case.path_parameters[name] = values[pick % len(values)]


def _probe(operation, base_url, headers, failures, real):
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=False,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate],
    )
    @given(case=operation.as_strategy(), pick=st.integers(min_value=-1, max_value=50))
    def probe(case, pick):
        if pick >= 0:
            _aim_at_real_objects(case, real, pick)
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.method} {case.formatted_path} "
                            f"query={case.query} body={str(case.body)[:200]}")

    return probe


@pytest.mark.parametrize("username", ["heping_staff", "shaping_reviewer"])
def test_generated_requests_to_every_operation_get_no_server_error(demo, live_server_url, username):
    token = Token.objects.get_or_create(user=demo["users"][username])[0].key
    headers = {"Authorization": f"Token {token}"}
    schema = _schema()
    real = _real_values()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1

        _probe(operation, live_server_url, headers, failures, real)()
        forget_throttles()  # rate limits start fresh for the next operation
    assert operations > 40
    assert failures == []
