"""What the brand's compliance pages share: members read, writes need a permission, ids of
another brand are 404."""

from tenants.roles import Permission
from tenants.views.base import BrandPage


class CompliancePage(BrandPage):
    write_permission = Permission.MANAGE_COMPLIANCE
