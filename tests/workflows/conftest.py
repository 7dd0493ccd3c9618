# The fixtures of the projects' and the quizzes' tests, shared with these tests.
from tests.course.test_quizzes import module, quiz, student_enrolment  # noqa: F401
from tests.projects.conftest import alice, bob, make_pdf, report  # noqa: F401
