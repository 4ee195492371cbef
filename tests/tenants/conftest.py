import pytest

from tenants.roles import Role

from .factories import TenantFactory, member


@pytest.fixture
def brand():
    return TenantFactory(name="Lotus Tea")


@pytest.fixture
def owner(brand):
    return member(brand, Role.OWNER).user
