from tests.projects.conftest import alice, bob, make_pdf, report  # noqa: F401
