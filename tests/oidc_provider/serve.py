"""Start the test provider: `python -m tests.oidc_provider.serve PORT CLIENT_ID SECRET`.

Migrates its database, registers PEOPLE and the course site as an application, then serves
on 127.0.0.1:PORT until it is stopped; prints "ready" once it answers."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

#: The provider's people: username, email, given name, family name. Password: PASSWORD.
PEOPLE = [
    ("ada", "ada.sso@example.org", "Ada", "Lovelace"),
    ("linus", "linus.local@example.org", "Linus", "Local"),
    ("unverified", "unverified@example.org", "Una", "Verified"),
    ("tess", "tess.staff@example.org", "Tess", "Teacher"),
]
PASSWORD = "university-pass-2041"
#: Where the course site may send people back to: the test client's host and any loopback
#: port (RFC 8252), for the live server of the browser tests.
CALLBACK_PATH = "/accounts/sso/callback/"
LOGGED_OUT_PATH = "/"


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main(port: int, client_id: str, secret: str) -> None:
    os.environ["OIDC_PROVIDER_PORT"] = str(port)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for username, email, given, family in PEOPLE:
        User.objects.create_user(
            username, email=email, password=PASSWORD, first_name=given, last_name=family
        )
    hosts = ["http://testserver", "http://127.0.0.1", "http://localhost"]
    # scripts/production_smoke's site, behind its pretend TLS proxy (https://course.example.org).
    hosts += os.environ.get("OIDC_PROVIDER_EXTRA_HOSTS", "").split()
    Application.objects.create(
        name="coursesite",
        client_id=client_id,
        client_secret=secret,
        hash_client_secret=False,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=" ".join(host + CALLBACK_PATH for host in hosts),
        post_logout_redirect_uris=" ".join(host + LOGGED_OUT_PATH for host in hosts),
        skip_authorization=False,
    )
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
