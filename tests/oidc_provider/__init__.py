"""A minimal OpenID Connect provider for the single sign-on tests (django-oauth-toolkit).

Its own small Django project: `serve.py` migrates a SQLite database in a temporary folder,
registers the people of PEOPLE and one application (the course site), and serves it on a
loopback port; `fixture.py` starts it as a subprocess for the tests. Never used by the site.
"""
