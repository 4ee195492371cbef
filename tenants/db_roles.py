"""Keep the application's database role able to use every table the migrations create."""

from typing import Any

from django.conf import settings
from django.db import connections


def grant_app_role(*, using: str = "default", **_: Any) -> None:
    """post_migrate: give APP_DB_APP_ROLE data access (not ownership) to all tables.

    A no-op when that role does not exist or is the one migrating (a single-role install).
    """
    role = settings.APP_DB_APP_ROLE
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role]
        )
        current_user, exists = cursor.fetchone()
        if not exists or current_user == role:
            return
        name = connection.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
        )
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}")
