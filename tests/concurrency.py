"""For the row-lock tests (PostgreSQL): run a service call in a thread of its own, with its
own database connection, keeping its result or the error it raised."""

import threading

import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)


def run_in_thread(target, results, key) -> threading.Thread:
    def wrapper():
        try:
            results[key] = target()
        except Exception as error:
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread
