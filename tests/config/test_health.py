import os
import uuid

import psycopg
import pytest
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_ok_without_touching_services(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_green_with_database_vector_redis_and_a_worker(client, celery_worker):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert body["checks"]["database"]["detail"].startswith("pgvector 0.8")
    assert body["checks"]["celery"]["detail"] == "1 worker(s)"


def test_readyz_names_celery_when_no_worker_answers(client, redis_client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["celery"]
    assert "no Celery worker answered" in response.json()["checks"]["celery"]["error"]


def test_readyz_names_redis_and_celery_when_redis_is_unreachable(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["redis", "celery"]
    assert body["checks"]["database"]["ok"] is True


def test_readyz_names_the_database_when_the_vector_extension_is_missing(client):
    owner_url = os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
    scratch = f"novector_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(owner_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE template0')
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = scratch
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        with psycopg.connect(owner_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{scratch}"')

    assert response.status_code == 503
    assert "database" in response.json()["failing"]
    assert "vector extension is not installed" in response.json()["checks"]["database"]["error"]


def test_migrations_installed_vector_trigram_and_btree_gist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension ORDER BY extname")
        names = {row[0] for row in cursor.fetchall()}

    assert {"vector", "pg_trgm", "btree_gist"} <= names
