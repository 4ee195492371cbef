import pytest

from tenants.roles import Role
from tests.celery_tasks import count_members_in_scope, count_members_unscoped

from .factories import TenantFactory, member

pytestmark = pytest.mark.celery_worker


def test_a_task_in_a_worker_sees_only_the_brand_it_scoped_itself_to(celery_worker):
    mine, theirs = TenantFactory(), TenantFactory()
    member(mine, Role.OWNER)
    member(mine, Role.EDITOR)
    member(theirs, Role.OWNER)

    counts = count_members_in_scope.delay(tenant_id=mine.pk).get(timeout=20)

    assert counts == {"orm": 2, "raw": 2, "outside": 0}


def test_a_task_that_forgets_its_scope_is_refused_not_given_every_brand(celery_worker):
    member(TenantFactory(), Role.OWNER)

    assert count_members_unscoped.delay().get(timeout=20) == "refused"
