import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from billing.models import LedgerEntry
from generation.models import Job
from tests.billing.factories import anomalies, balance, funded
from tests.tenants.factories import TenantFactory, api_key, rows

SUBMISSIONS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_submissions_against_ten_credits_accept_exactly_ten(redis_client):
    tenant = TenantFactory()
    funded(tenant, granted=10)
    _row, key = api_key(tenant, scopes=("jobs:write", "jobs:read"))
    start = threading.Barrier(SUBMISSIONS)

    def submit(n: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        start.wait()  # all fifty requests in flight together
        try:
            response = client.post(
                "/api/v1/jobs",
                {
                    "script": f"第{n}号直播脚本：补水精华",
                    "channels": ["main_800x800"],
                    "variants": 1,
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"parallel-{n}",
            )
            return response.status_code
        finally:
            connection.close()  # each thread has its own database connection

    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        statuses = list(pool.map(submit, range(SUBMISSIONS)))

    assert sorted(set(statuses)) == [201, 402]
    assert statuses.count(201) == 10
    assert len(rows(Job, tenant)) == 10
    assert len(rows(LedgerEntry, tenant, kind="reserve")) == 10
    assert balance(tenant) | {} == {
        "granted": Decimal(0), "purchased": Decimal(0), "reserved": Decimal(10),
        "available": Decimal(0),
    }  # fmt: skip
    assert anomalies(tenant) == []
