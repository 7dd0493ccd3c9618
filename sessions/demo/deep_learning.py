"""The 2016 Deep Learning offering at Chalmers, as its course page described it.

The texts are the seed page's (shared/seed/deep-learning-2016-course-page.txt), with its
spelling slips corrected ("Unsuperviced", "seminsupervised", "equivalend"). Where the page is
silent the values are marked INVENTED in a comment: a demo needs them, the page did not say.
load() is idempotent: it finds existing rows by their natural keys and updates them.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.enums import EnrolmentStatus, Level
from accounts.models import Enrolment, EnrolmentDecision, User
from course.copying import offering_copy
from course.enums import ModuleKind, OfferingStatus, StaffRole
from course.models import Announcement, Course, Module, Offering, Staff, VideoLecture
from course.services import lecture_set_parts
from projects import demo as projects_demo
from projects.book import book_pdf

from ..calendar import calendar_token_reset
from ..enums import AttendanceStatus
from ..models import SessionSeries
from ..services import generate_sessions, register_save
from . import grading as grading_demo
from . import quizzes as quizzes_demo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

COURSE = {
    "code": "DL-CHALMERS",  # INVENTED: the page gives no course code.
    "title": "Deep Learning",
    "summary": "A PhD course on deep artificial neural networks, taught as a flipped classroom "
    "with video lectures, quizzes and discussion sessions, and examined by a group project.",
    "description": (
        "Artificial neural networks are models inspired by the mammal brain. Several artificial "
        "neurons in a network communicating similarly to the brain, make out a powerful model "
        "that has been shown to be able to approximate virtually any continuous function. During "
        "the 1990s, the interest in artificial neural networks declined, due to limited "
        "processing power and data availability, and other technologies often worked better. In "
        "the 2000s, the availability of big data and the advent of faster computers (and graphics "
        "processing units able to perform fast mathematical computations) has made it possible "
        "to train significantly larger models. These models gave rise to the term Deep Learning, "
        "and has outperformed the previous state of the art in tasks such as image recognition "
        "and natural language processing."
    ),
    "credits": "7.5",
    "credit_unit": "hec",
    "level": "PhD course",
    "audience": (
        "This is a PhD course targeting students who are interested in machine learning and "
        "artificial neural networks. MSc students may apply; they are notified of their "
        "enrollment status."
    ),
    "prerequisites": (
        "Some mathematical maturity is expected, and a basic course in linear algebra and "
        "machine learning (equivalent to TDA 231 Algorithms for Machine Learning & Inference or "
        "FFR135 Artificial Neural Networks) are required before taking this course."
    ),
    "teaching_format": (
        "The course is made up of multiple modules. Completing a module involves watching video "
        "lectures on a specific topic, solving quizzes, and participating in discussion sessions "
        "twice a week.\n\n"
        "The course is carried out as a flipped classroom, which means that every participant "
        "has the mandatory homework of watching video lectures at home before attending the "
        "course sessions. At the sessions, we have material to help discussing the content."
    ),
}

NOTICE = (
    "This course will unfortunately not be given in the academic year 2016-2017. It was given "
    "May-June 2016. The page contains outdated information, but please feel free to look at "
    "what we did during the course!"
)

PRACTICAL_INFORMATION = """\
The content is accessible through the learning platform Scalable Learning.

**Important:** If you have not received an enrollment key for Scalable Learning through email,
please notify one of the teaching assistants.

### Discussion sessions

- Tuesday, 13:15 – 15:00 (ML13)
- Thursday, 13:15 – 15:00 (ML1)

### Registration

Registration is now closed. Those of you that are MSc students who have filled out the
registration form will have received a notification with your enrollment status. All enrolled
students have received an email with instructions for how to follow the course.

Please join our group for announcements and discussions.
"""

EXAMINATION_RULES = """\
The examination is split in two parts: 1) participation in discussion sessions, 2) completion
and presentation of a small project. The project should be completed in groups of two students.
For 3 (G), you have to participate in at least {threshold} of the discussion sessions, and present a
project of sufficient quality in front of your peers, at the end of the course. A short report
on the project should also be submitted. For students who present projects that show a deeper
understanding of the subject matter, the grade 4 or 5 (VG) can be obtained.

1. The student should have watched the video lectures of the corresponding module, the day
   before discussion session. Videos are accessible through Scalable Learning.
2. Students should actively participate in at least {threshold} of the discussion sessions.
3. At the end of the course, each project group will have to present their project in front of
   their peers. A short report on the project should also be submitted.

### The project

- Groups of two
- Cover a couple of topics from course for passing grade
- More topics for higher grades
- Project presentation: 20 min including questions, {presentations}, 13:15-15:00
- Project report: due {deliverable:project-report}; 4 pages short paper, including references
- Planning report: due {deliverable:planning-report}; short, 1 page
"""

# The page lists the outline and the lectures separately; which lecture belonged to which
# module is our reading of their topics (INVENTED mapping). Deep reinforcement learning has
# no module of its own in the outline: it sits with the convolutional networks it builds on.
MODULES = [
    ("preliminaries", "Preliminaries", ModuleKind.REGULAR, "",
     [("Hugo Larochelle", "Introduction", "Lec1, Lec2:1-2:11")]),
    ("recurrent-neural-networks", "Recurrent Neural Networks", ModuleKind.REGULAR, "",
     [("Richard Socher", "Deep learning for NLP", ""),
      ("Alex Graves", "Recurrent neural networks", ""),
      ("Andrej Karpathy", "Recurrent Neural Networks, Image Captioning, LSTM", "")]),
    ("convolutional-neural-networks", "Convolutional Neural Networks", ModuleKind.REGULAR, "",
     [("Andrej Karpathy", "Convnets", ""),
      ("Justin Johnson", "Spatial localization and detection", ""),
      ("Andrej Karpathy", "Understanding and visualizing Convnets", ""),
      ("Nando de Freitas", "Deep reinforcement learning", "")]),
    ("unsupervised-and-semi-supervised-methods",
     "Unsupervised and semi-supervised methods", ModuleKind.REGULAR,
     "Auto-Encoders, Ladder Networks.",
     [("Yoshua Bengio", "Deep generative models", "")]),
    ("regularization", "Regularization", ModuleKind.REGULAR,
     "Norm penalty, Dropout, Batch normalization.",
     [("Geoffrey Hinton", "Regularization", "9A, 9B, 9C, 9E, 10E")]),
    ("project-presentations", "Project presentations", ModuleKind.PRESENTATIONS,
     "Every project group presents its project: 20 minutes including questions.", []),
]  # fmt: skip

# The seed page swaps the two first teaching assistants' mail user names ("Olof Mogren
# (kageback at", "Mikael Kågebäck (mogren at"): each person gets their own name here, and
# every address is on example.org so that no real person is mailed from a demo.
STAFF = [
    ("Devdatt Dubhashi", StaffRole.RESPONSIBLE, "", "dubhashi@example.org"),
    ("Olof Mogren", StaffRole.TEACHING_ASSISTANT, "PhD student behind the initiative",
     "mogren@example.org"),
    ("Mikael Kågebäck", StaffRole.TEACHING_ASSISTANT, "PhD student behind the initiative",
     "kageback@example.org"),
    ("Fredrik Johansson", StaffRole.TEACHING_ASSISTANT, "PhD student behind the initiative",
     "frejohk@example.org"),
]  # fmt: skip

ANNOUNCEMENTS = [
    # INVENTED dates; the texts are the page's.
    (
        "Registration is closed",
        datetime(2016, 3, 15, 9, 0, tzinfo=STOCKHOLM),
        "Registration is now closed. Those of you that are MSc students who have filled out "
        "the registration form will have received a notification with your enrollment status. "
        "All enrolled students have received an email with instructions for how to follow the "
        "course.",
    ),
    (
        "Book of abstracts",
        datetime(2016, 6, 10, 12, 0, tzinfo=STOCKHOLM),
        "The book of abstracts for the student projects is now available.",
    ),
]


PLATFORM_INSTRUCTIONS = """\
Watch the video lectures of each module on Scalable Learning **the day before** its first
discussion session, and solve the module's quizzes there. Sign up on Scalable Learning with
your university address and the enrollment key below.
"""

# The students of the page's ten project proposals. The page names 19 people; with the demo
# student account below they are the twenty accepted students of the seed (two invented
# classmates below make 22). Their levels are INVENTED (the
# page says only that the course targets PhD students and admitted MSc students).
STUDENTS = [
    ("Raphael Konstantinou", Level.MSC), ("Sebastian Eriksson", Level.MSC),
    ("Josefin Ondrus", Level.MSC), ("Gabriel Andersson", Level.MSC),
    ("Robert Nyquist", Level.MSC), ("Daniel Pettersson", Level.MSC),
    ("David Alfter", Level.PHD), ("Luis Nieto Piña", Level.PHD),
    ("Car-Johan Hoel", Level.PHD),
    ("Arvid Nilsson", Level.MSC), ("Jonas Karlsson", Level.MSC),
    ("Christian Ågren", Level.MSC), ("Alexander Ågren", Level.MSC),
    ("Florian Schäfer", Level.MSC), ("Mats Uddgård", Level.PHD),
    ("Emilio Jorge", Level.PHD), ("Benjamin Lindberg", Level.MSC),
    ("Luca Caltagirone", Level.PHD), ("Sina Torabi", Level.PHD),
]  # fmt: skip
# INVENTED people, so that the admin shows every state an application can be in.
OTHER_APPLICANTS = [
    ("Nora Falk", Level.MSC, EnrolmentStatus.ACCEPTED),
    ("Ivar Sjöberg", Level.PHD, EnrolmentStatus.ACCEPTED),
    ("Oskar Berg", Level.MSC, EnrolmentStatus.WAITLISTED),
    ("Maja Lund", Level.MSC, EnrolmentStatus.APPLIED),
    ("Elin Holm", Level.MSC, EnrolmentStatus.REJECTED),
    ("Viktor Sand", Level.PHD, EnrolmentStatus.WITHDRAWN),
]


def demo_email(name: str) -> str:
    return ".".join(slugify(part) for part in name.split()) + "@example.org"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


ADMIN_LOGIN = DemoLogin("administrator", "admin@example.org", "demo-admin-2016")
TA_LOGIN = DemoLogin("teaching assistant (Olof Mogren)", "mogren@example.org", "demo-ta-2016")
STUDENT_LOGIN = DemoLogin("student", "student@example.org", "demo-student-2016")


def _user(login: DemoLogin, full_name: str, **flags) -> User:
    user, _ = User.objects.update_or_create(
        email=login.email, defaults={"full_name": full_name, **flags}
    )
    user.set_password(login.password)
    user.save(update_fields=["password"])
    return user


def _reviewer(verified: datetime) -> User:
    """INVENTED: an account for Mikael Kågebäck, who reviews two 2016 projects in the demo.

    It has no password: nobody logs in with it, it only shows whose review is whose.
    """
    return _account_without_password("kageback@example.org", "Mikael Kågebäck", verified)


def _responsible(verified: datetime) -> User:
    """INVENTED: an account for Devdatt Dubhashi, the course responsible of 2016, who signs
    the results off and writes the announcements in the demo. Without a password, like the
    reviewer's: it shows who did what."""
    return _account_without_password("dubhashi@example.org", "Devdatt Dubhashi", verified)


def _account_without_password(email: str, full_name: str, verified: datetime) -> User:
    user, created = User.objects.update_or_create(
        email=email, defaults={"full_name": full_name, "email_verified_at": verified}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _staff_and_outline(offering: Offering, accounts: list[User]) -> None:
    """The staff (linked to the given accounts by address), modules and lectures."""
    account = {user.email: user for user in accounts}
    for order, (name, role, description, email) in enumerate(STAFF, start=1):
        Staff.objects.update_or_create(
            offering=offering,
            name=name,
            defaults={
                "role": role,
                "description": description,
                "email": email,
                "order": order,
                "user": account.get(email) if email else None,
            },
        )
    for order, (slug, title, kind, description, lectures) in enumerate(MODULES, start=1):
        module, _ = Module.objects.update_or_create(
            offering=offering,
            slug=slug,
            defaults={"title": title, "kind": kind, "description": description, "order": order},
        )
        for lecture_order, (speaker, lecture_title, parts) in enumerate(lectures, start=1):
            lecture, _ = VideoLecture.objects.update_or_create(
                module=module,
                speaker=speaker,
                title=lecture_title,
                defaults={"order": lecture_order},
            )
            lecture_set_parts(lecture=lecture, notation=parts)


def office_time(day: date, seed: str) -> datetime:
    """A time on `day` (or the Monday after, on a weekend) between 9:00 and 16:59 that
    depends on `seed` alone: applications and decisions spread over office hours."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    draw = random.Random(f"office:{seed}:{day}")
    return datetime.combine(day, time(draw.randint(9, 16), draw.randint(0, 59)), tzinfo=STOCKHOLM)


def _working_days_after(day: date, count: int) -> date:
    while count or day.weekday() >= 5:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _enrol(offering, student, level, status, applied_at, decided_by) -> Enrolment:
    decided = status != EnrolmentStatus.APPLIED
    enrolment, _ = Enrolment.objects.update_or_create(
        offering=offering,
        student=student,
        defaults={
            "level": level,
            "programme": "Computer Science" if level == Level.MSC else "PhD studies, CSE",
            "status": status,
            "applied_at": applied_at,
            "decided_at": office_time(applied_at.date() + timedelta(days=14), student.email)
            if decided
            else None,
            "decided_by": decided_by if decided else None,
            "enrolled_on": offering.start_date if status == EnrolmentStatus.ACCEPTED else None,
        },
    )
    if not enrolment.decisions.exists():
        EnrolmentDecision.objects.create(
            enrolment=enrolment, new_status=EnrolmentStatus.APPLIED, decided_by=student,
            decided_at=applied_at, note="application",
        )  # fmt: skip
        if decided:
            EnrolmentDecision.objects.create(
                enrolment=enrolment, old_status=EnrolmentStatus.APPLIED, new_status=status,
                decided_by=decided_by, decided_at=enrolment.decided_at,
            )  # fmt: skip
    return enrolment


def _sessions(offering: Offering, start: date, end: date, skip: list[date], per_module: int):
    """The seed's weekly discussion sessions: Tuesdays in ML13, Thursdays in ML1."""
    for weekday, room in ((1, "ML13"), (3, "ML1")):
        SessionSeries.objects.get_or_create(
            offering=offering,
            weekday=weekday,
            start_time=time(13, 15),
            end_time=time(15, 0),
            defaults={"room": room},
        )
    generate_sessions(offering=offering, start=start, end=end, skip=skip, per_module=per_module)


# INVENTED: how often each 2016 student came. The people named on the course page all clear
# 80 %; the demo student and two invented classmates do not, so the attendance pages and
# the report show both sides without saying anything untrue of a real person.
ATTENDANCE_HABITS = [0.97, 0.93, 0.95, 0.96, 0.99, 0.94]
LOW_ATTENDANCE = {"student@example.org": 0.6, "nora.falk@example.org": 0.55,
                  "ivar.sjoberg@example.org": 0.65}  # fmt: skip


def _attendance(offering: Offering, ta: User) -> None:
    """Deterministic attendance for the 2016 students (the same on every load)."""
    enrolments = list(
        offering.enrolments.accepted().select_related("student").order_by("student__email")
    )
    sessions = offering.discussion_sessions.filter(is_cancelled=False).order_by("starts_at")
    for session in sessions:
        entries = {}
        for index, enrolment in enumerate(enrolments):
            habit = LOW_ATTENDANCE.get(
                enrolment.student.email, ATTENDANCE_HABITS[index % len(ATTENDANCE_HABITS)]
            )
            draw = random.Random(f"{enrolment.student.email}:{session.series_date}").random()
            if draw < habit:
                entries[enrolment.pk] = (AttendanceStatus.PRESENT, draw < habit / 2)
            elif draw < habit + 0.04:
                entries[enrolment.pk] = (AttendanceStatus.EXCUSED, False)
            else:
                entries[enrolment.pk] = (AttendanceStatus.ABSENT, False)
        register_save(session=session, entries=entries, by=ta)


def _next_offering(source: Offering) -> Offering:
    """The next run of the course: what copy_offering makes of 2016 (modules, lectures,
    quizzes, sessions, deliverables, presentation sessions, rubric and scales), with its
    registration open on the day the demo is loaded.

    It starts on the Monday about eight weeks ahead (2016 started on a Monday), so the
    registration flow can be tried at any time; its name is the year it starts in. Loaded
    again, an existing next offering keeps what people did in it; its registration window
    follows today.
    """
    today = timezone.localdate()
    start = today + timedelta(days=56 + (7 - today.weekday()) % 7)
    offering = Offering.objects.filter(course=source.course, slug="next").first()
    if offering is None:
        offering = offering_copy(source=source, slug="next", start=start).offering
        offering.name = str(start.year)
        offering.study_period = "LP3"
        offering.summary = "The next run of the course: registration is open."
        offering.practical_information = PRACTICAL_INFORMATION.split("### Registration")[0]
        offering.enrollment_key = "DL-NEXT-KEY-DEMO"
        offering.capacity = 30
    offering.status = OfferingStatus.REGISTRATION
    offering.is_published = True
    offering.registration_opens = datetime.combine(
        today - timedelta(days=7), time(9), tzinfo=STOCKHOLM
    )
    offering.registration_closes = datetime.combine(
        offering.start_date - timedelta(days=7), time(23, 59), tzinfo=STOCKHOLM
    )
    offering.full_clean()
    offering.save()
    return offering


@transaction.atomic
def load() -> tuple[Offering, list[DemoLogin]]:
    """Create or update the demo course, its 2016 offering, a next offering open for
    registration, the students of 2016 and the demo accounts.

    Side effects: writes Course, Offering, Staff, Module, VideoLecture, LecturePart,
    Announcement, User, Enrolment and EnrolmentDecision rows, and through the other apps'
    demo modules attendance, quizzes, projects and the signed-off 2016 grades
    (sessions/demo.py); resets the demo accounts' passwords to the printed ones.
    """
    course, _ = Course.objects.update_or_create(slug="deep-learning", defaults=COURSE)
    offering, _ = Offering.objects.update_or_create(
        course=course,
        slug="2016",
        defaults={
            "name": "2016",
            "study_period": "LP4",
            "start_date": date(2016, 3, 21),
            "end_date": date(2016, 6, 4),
            "status": OfferingStatus.RUNNING,  # archived at the end of load(): read-only then
            "is_published": True,
            "accent": "teal",
            "notice": NOTICE,
            "practical_information": PRACTICAL_INFORMATION,
            "examination_rules": EXAMINATION_RULES,
            "video_platform_name": "Scalable Learning",
            "video_platform_url": "https://www.scalable-learning.com/",
            "enrollment_key": "DL16-KEY-DEMO",  # INVENTED: never shown publicly.
            # INVENTED: the page's link to the group was not preserved.
            "discussion_group_url": "https://groups.example.org/deep-learning-chalmers",
            "attendance_threshold": 80,
            "group_size": 2,
            "capacity": 22,  # INVENTED: the page gives no number of seats.
            "publish_book": True,  # "Book of abstracts ... is now available."
            # INVENTED: the page links the book but does not preserve its preface.
            "book_preface": (
                "This book collects the abstracts of the student projects of Deep Learning "
                "2016. Working in pairs, the students chose a problem, found or built the "
                "data, trained and evaluated a network, and presented their work on two "
                "afternoons at the end of the course. The programme lists the order of the "
                "talks; each abstract gives the time and room of its presentation.\n\n"
                "We thank the students for their work and enthusiasm.\n\n"
                "*Devdatt Dubhashi, Mikael Kågebäck and Olof Mogren*"
            ),
            "platform_instructions": PLATFORM_INSTRUCTIONS,
            # INVENTED: the page only says registration is closed.
            "registration_opens": datetime(2016, 2, 15, 9, 0, tzinfo=STOCKHOLM),
            "registration_closes": datetime(2016, 3, 14, 23, 59, tzinfo=STOCKHOLM),
        },
    )
    verified = datetime(2016, 2, 20, 10, 0, tzinfo=STOCKHOLM)
    _user(ADMIN_LOGIN, "Course Administrator", is_staff=True, is_superuser=True)
    ta = _user(TA_LOGIN, "Olof Mogren", email_verified_at=verified)
    demo_student = _user(STUDENT_LOGIN, "Demo Student", email_verified_at=verified)
    if not demo_student.calendar_token:  # subscribed to their calendar, as students did
        calendar_token_reset(demo_student)
    reviewer = _reviewer(verified)
    responsible = _responsible(verified)
    _staff_and_outline(offering, [ta, reviewer, responsible])

    applied = datetime(2016, 2, 22, 10, 0, tzinfo=STOCKHOLM)
    people = [(name, level, EnrolmentStatus.ACCEPTED) for name, level in STUDENTS]
    for index, (name, level, status) in enumerate(people + OTHER_APPLICANTS):
        student, _ = User.objects.update_or_create(
            email=demo_email(name), defaults={"full_name": name, "email_verified_at": verified}
        )
        # Three or four a working day, at office hours (INVENTED, as all these times are).
        day = _working_days_after(applied.date(), index // 3)
        _enrol(offering, student, level, status, office_time(day, student.email), ta)
    _enrol(offering, demo_student, Level.PHD, EnrolmentStatus.ACCEPTED, applied, ta)
    # Tuesdays and Thursdays from 22 March to 26 May; 5 May 2016 was Ascension Day. The last
    # week of May belongs to the project presentations.
    _sessions(offering, date(2016, 3, 22), date(2016, 5, 26), [date(2016, 5, 5)], per_module=4)
    _attendance(offering, ta)
    quizzes_demo.load(offering, ta)
    projects_demo.load(offering, ta)
    projects_demo.load_presentations(offering)
    offering.full_clean()  # its texts' placeholders name the deliverables made just now
    # Grading needs the presentations done and the offering still running (archived below).
    # The course responsible signs off (with his password-less demo account).
    grading_demo.load(offering, ta, reviewer=reviewer, examiner=responsible)

    for title, published_at, body in ANNOUNCEMENTS:
        Announcement.objects.update_or_create(
            offering=offering,
            title=title,
            defaults={"published_at": published_at, "body": body, "author": responsible},
        )
    _next_offering(offering)
    # The published book is there from the start (a worker would build it on the first
    # request; the demo is ready to browse without one).
    book_pdf(offering)
    offering.status = OfferingStatus.ARCHIVED
    offering.save(update_fields=["status"])
    return offering, [ADMIN_LOGIN, TA_LOGIN, STUDENT_LOGIN]
