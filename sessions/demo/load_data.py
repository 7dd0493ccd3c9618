"""A university-scale database for the benchmark and for trying the site at size.

This is a data generator, not a way in for user writes: rows are written straight into the
tables with bulk_create in batches, without the services (no locks, no mails sent, no
decision logic, no validation beyond the database's constraints), so that 300 courses,
900 offerings and 30,000 students take minutes instead of hours. The services' rules are
followed by construction: accepted students only in groups, one group per enrolment,
attendance only for held sessions, attempts within the quiz's allowed number, grades on
the scale of the student's level, results signed off only when every student is graded.

Each course gets `offerings_per_course` runs: the last is open for registration (dates
relative to today), the one before it is running (half its sessions held), the earlier
ones are archived, graded and signed off. Every generated student is accepted in 1 to 4
offerings of the archived and running ones (a few have only applications), and many
also have applications in other states (applied, waiting list, rejected, withdrawn).

Generated rows are marked: course codes start with LOAD-, accounts are on
load.example.org (one published password, PASSWORD). The demo (`load_demo`), when loaded,
is left as it is: the generated data only adds to the tables around it. The same seed
and sizes give the same data (dates are relative to the day it runs). It runs in one
transaction and refuses to run a second time (AlreadyGenerated).
"""

import bisect
import hashlib
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify

from accounts.enums import EnrolmentStatus, Level, MailKind, MailStatus
from accounts.models import Enrolment, EnrolmentDecision, OutgoingMail, User
from course.enums import ModuleKind, OfferingStatus, QuestionKind, StaffRole
from course.models import (
    Announcement,
    Course,
    LecturePart,
    Module,
    Offering,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    Staff,
    VideoLecture,
    WatchedPart,
)
from projects import demo as projects_demo
from projects.enums import ProposalStatus
from projects.models import (
    CODE_ALPHABET,
    Deliverable,
    Extension,
    Membership,
    PresentationSession,
    PresentationSlot,
    ProjectGroup,
    Proposal,
    ProposalEvent,
    Submission,
)

from ..enums import AttendanceStatus, ProjectGrade, ResultsAction
from ..grading.defaults import DEFAULT_RUBRIC, DEFAULT_SCALES
from ..grading.rules import rubric_suggest, scale_grade_for
from ..models import (
    Attendance,
    DiscussionSession,
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    Rubric,
    RubricCriterion,
    RubricLevel,
    ScaleGrade,
    SessionSeries,
)

CODE_PREFIX = "LOAD-"
EMAIL_DOMAIN = "load.example.org"
PASSWORD = "load-data-2016"  # published: the command refuses production settings
BATCH = 5000

PAST, CURRENT, NEXT = "past", "current", "next"

ADJECTIVES = [
    "Applied", "Advanced", "Introductory", "Computational", "Statistical", "Modern",
    "Numerical", "Probabilistic", "Distributed", "Algorithmic", "Experimental", "Theoretical",
    "Industrial", "Sustainable", "Quantitative", "Scientific", "Interactive", "Secure",
    "Embedded", "Biomedical",
]  # fmt: skip
SUBJECTS = [
    "Machine Learning", "Signal Processing", "Linear Algebra", "Control Theory", "Databases",
    "Computer Vision", "Natural Language Processing", "Optimisation", "Robotics",
    "Compiler Construction", "Information Theory", "Graph Algorithms", "Data Visualisation",
    "Operating Systems", "Cryptography", "Bayesian Inference", "Software Engineering",
    "Computer Networks", "Parallel Programming", "Human-Computer Interaction",
    "Reinforcement Learning", "Fluid Dynamics", "Quantum Computing", "Formal Methods",
    "Image Analysis", "Speech Technology", "Time Series Analysis", "Game Theory",
    "Computer Architecture", "Functional Programming",
]  # fmt: skip
WORDS = [
    "model", "data", "network", "training", "method", "results", "analysis", "approach",
    "evaluation", "learning", "features", "performance", "system", "images", "text", "signal",
    "baseline", "accuracy", "experiments", "design", "structure", "algorithm", "estimate",
    "sample", "noise", "robust", "efficient", "sparse", "deep", "linear", "graph", "transfer",
    "prediction", "representation", "benchmark", "compare", "improve", "study", "measure",
]  # fmt: skip
FIRST_NAMES = [
    "Alice", "Anders", "Astrid", "Bo", "Clara", "David", "Ebba", "Erik", "Farah", "Gustav",
    "Hanna", "Ida", "Isak", "Johan", "Karin", "Leo", "Linnea", "Maja", "Mohammed", "Nils",
    "Olivia", "Omar", "Per", "Sara", "Sofia", "Tove", "Ulf", "Vera", "Wei", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Berg", "Chen", "Dahl", "Ek", "Fors", "Gran", "Holm", "Isaksson", "Jansson",
    "Karlsson", "Lind", "Lund", "Nilsson", "Nyberg", "Olsson", "Persson", "Quist", "Rahman",
    "Sandberg", "Strand", "Svensson", "Wallin", "Wang", "Yilmaz", "Åberg", "Öberg", "Kaya",
]  # fmt: skip

OFFERING_TEXT = """\
Lectures are recorded; watch the assigned parts **before** each discussion session.

### Discussion sessions

- Tuesday, 13:15 – 15:00
- Thursday, 13:15 – 15:00

### Examination

1. Take part in at least {threshold} % of the discussion sessions.
2. Complete and present a project in groups of {group_size}.
3. Hand in the planning report and the project report on time.
"""


@dataclass(frozen=True)
class Sizes:
    courses: int = 300
    offerings_per_course: int = 3
    students: int = 30_000
    sessions: int = 20  # discussion sessions per offering

    def roles(self) -> list[str]:
        """The offerings of one course, oldest first: archived ones, then the running one,
        then the one open for registration."""
        k = self.offerings_per_course
        if k == 1:
            return [CURRENT]
        if k == 2:
            return [PAST, CURRENT]
        return [PAST] * (k - 2) + [CURRENT, NEXT]


class AlreadyGenerated(Exception):
    """The database holds generated data already."""


@dataclass
class Plan:
    """What the generator knows of one offering while it writes (rows keep their pks)."""

    offering: Offering
    role: str
    responsible: User
    tas: list[User]
    modules: list[Module] = field(default_factory=list)  # regular ones, in order
    presentations: Module | None = None
    lectures: dict[int, list[VideoLecture]] = field(default_factory=dict)  # by module pk
    parts: dict[int, list[LecturePart]] = field(default_factory=dict)  # by lecture pk
    quizzes: list[Quiz] = field(default_factory=list)
    questions: dict[int, list[QuizQuestion]] = field(default_factory=dict)  # by quiz pk
    choices: dict[int, list[QuizChoice]] = field(default_factory=dict)  # by question pk
    sessions: list[DiscussionSession] = field(default_factory=list)
    accepted: list[Enrolment] = field(default_factory=list)
    groups: list[ProjectGroup] = field(default_factory=list)
    members: dict[int, list[Enrolment]] = field(default_factory=dict)  # by group pk
    deliverables: list[Deliverable] = field(default_factory=list)


class Writer:
    """bulk_create in batches, counting what each model got."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.counts: Counter[str] = Counter()

    def create(self, model: type[models.Model], rows: list) -> list:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model._meta.label] += len(rows)
        return rows


@dataclass
class Buffer:
    """Rows of one model collected across offerings and written whenever BATCH are waiting."""

    writer: Writer
    model: type[models.Model]
    rows: list = field(default_factory=list)

    def add(self, row) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        self.writer.create(self.model, self.rows)
        self.rows = []


def generated_exists() -> bool:
    return Course.objects.filter(code__startswith=CODE_PREFIX).exists()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _sentence(rng: random.Random, n: int = 12) -> str:
    text = _words(rng, n)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def _aware(day: date, at: clock) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


class Generator:
    def __init__(self, sizes: Sizes, seed: int, say: Callable[[str], None]):
        self.sizes, self.rng, self.say = sizes, random.Random(seed), say
        self.writer = Writer(say)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.password = make_password(PASSWORD, salt="loaddata")  # one hash for everyone
        self.plans: list[Plan] = []
        self.codes: set[str] = set(ProjectGroup.objects.values_list("invite_code", flat=True))
        self.phase_started = time.monotonic()

    # -- helpers ------------------------------------------------------------------------

    def phase(self, text: str) -> None:
        elapsed = time.monotonic() - self.phase_started
        self.say(f"  {text} ({elapsed:.1f} s)")
        self.phase_started = time.monotonic()

    def invite_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(8))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def create(self, model, rows):
        return self.writer.create(model, rows)

    # -- the phases ---------------------------------------------------------------------

    def run(self) -> Counter[str]:
        self.people()
        self.courses()
        self.outlines()
        self.quizzes()
        self.sessions()
        self.enrolments()
        self.attendance()
        self.attempts()
        self.watched()
        self.projects()
        self.presentations()
        self.announcements()
        self.grading()
        return self.writer.counts

    def people(self) -> None:
        rng, joined = self.rng, self.now - timedelta(days=400)
        staff = []
        for n in range(self.sizes.courses * 4):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            staff.append(
                User(email=f"teacher{n:04d}@{EMAIL_DOMAIN}", full_name=f"{name} (teacher)",
                     password=self.password, date_joined=joined, email_verified_at=joined)
            )  # fmt: skip
        self.teachers = self.create(User, staff)
        students = []
        for n in range(self.sizes.students):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            when = joined + timedelta(minutes=n)
            students.append(
                User(email=f"student{n:05d}@{EMAIL_DOMAIN}", full_name=name,
                     password=self.password, date_joined=when, email_verified_at=when)
            )  # fmt: skip
        self.students = self.create(User, students)
        self.phase(f"{len(staff)} teachers and {len(students)} students")

    def courses(self) -> None:
        rng, sizes = self.rng, self.sizes
        titles = [f"{a} {s}" for a in ADJECTIVES for s in SUBJECTS]
        rng.shuffle(titles)
        courses = []
        for n in range(sizes.courses):
            repeat = n // len(titles)
            title = titles[n % len(titles)] + (f" {repeat + 1}" if repeat else "")
            courses.append(Course(
                code=f"{CODE_PREFIX}{n + 1:04d}", title=title,
                slug=f"{slugify(title)}-{n + 1:04d}"[:80], summary=_sentence(rng, 18),
                description=_paragraph(rng, 6) + "\n\n" + _paragraph(rng, 4),
                credits=Decimal(rng.choice(["7.5", "7.5", "5.0", "15.0"])),
                level=rng.choice(["MSc course", "PhD course", "MSc and PhD course"]),
                audience=_paragraph(rng, 2), prerequisites=_paragraph(rng, 2),
                teaching_format="Flipped classroom: video lectures, quizzes and discussion "
                "sessions twice a week, examined by a group project.",
            ))  # fmt: skip
        self.create(Course, courses)
        offerings, plans = [], []
        roles = sizes.roles()
        for n, course in enumerate(courses):
            responsible = self.teachers[4 * n]
            course_tas = self.teachers[4 * n + 1 : 4 * n + 4]
            # The running offering started 2-7 weeks ago; the others a year apart before it,
            # the next one about three months after it.
            current_start = self.today - timedelta(days=14 + (n * 5) % 35)
            current_start -= timedelta(days=current_start.weekday())  # a Monday
            for index, role in enumerate(roles):
                if role == NEXT:
                    start = current_start + timedelta(weeks=13)
                else:
                    years_back = roles.index(CURRENT) - index
                    start = current_start - timedelta(weeks=52 * years_back)
                offering = self.offering(course, role, start)
                offerings.append(offering)
                tas = rng.sample(course_tas, 2)
                plans.append(Plan(offering, role, responsible, tas))
        self.create(Offering, offerings)
        self.plans = plans
        staff = []
        for plan in plans:
            people = [(plan.responsible, StaffRole.RESPONSIBLE)] + [
                (ta, StaffRole.TEACHING_ASSISTANT) for ta in plan.tas
            ]
            for order, (user, role) in enumerate(people, start=1):
                name = user.full_name.split(" (")[0]
                staff.append(Staff(offering=plan.offering, name=name, role=role,
                                   email=user.email, user=user, order=order))  # fmt: skip
            staff.append(Staff(offering=plan.offering, name="Guest Lecturer",
                               role=StaffRole.TEACHING_ASSISTANT, order=9,
                               description="Gives one discussion session"))  # fmt: skip
        self.create(Staff, staff)
        self.phase(f"{len(courses)} courses, {len(offerings)} offerings, {len(staff)} staff")

    def offering(self, course: Course, role: str, start: date) -> Offering:
        rng = self.rng
        threshold, group_size = rng.choice([75, 80, 80, 80]), rng.choice([2, 2, 3, 4])
        status = {PAST: OfferingStatus.ARCHIVED, CURRENT: OfferingStatus.RUNNING,
                  NEXT: OfferingStatus.REGISTRATION}[role]  # fmt: skip
        opens = _aware(start - timedelta(weeks=8), clock(9))
        closes = _aware(start - timedelta(days=7), clock(23, 59))
        if role == NEXT:
            opens = _aware(self.today - timedelta(days=7), clock(9))
        return Offering(
            course=course, slug=f"{start.year}-{start.month:02d}", name=f"{start:%B %Y}",
            study_period=f"LP{(start.month - 1) // 3 + 1}", start_date=start,
            end_date=start + timedelta(weeks=10, days=4), status=status,
            is_published=role == PAST or rng.random() > 0.02,
            notice="This offering is archived: its pages stay as they were." if role == PAST
            else "",
            summary=_paragraph(rng, 2),
            practical_information=OFFERING_TEXT.format(threshold=threshold,
                                                       group_size=group_size),
            examination_rules=_paragraph(rng, 3) + "\n\n- " + _sentence(rng) + "\n- "
            + _sentence(rng),
            video_platform_name="Scalable Learning",
            video_platform_url="https://www.scalable-learning.com/",
            enrollment_key=f"KEY-{course.code}-{start:%Y%m}",
            attendance_threshold=threshold, group_size=group_size,
            publish_book=role == PAST, show_submitted_proposals=rng.random() < 0.3,
            registration_opens=opens, registration_closes=closes,
            capacity=rng.randint(40, 300) if role == NEXT else None,
            platform_instructions="Sign up on the video platform with the key below.",
        )  # fmt: skip

    def outlines(self) -> None:
        rng = self.rng
        modules = []
        for plan in self.plans:
            for order in range(1, rng.randint(4, 6) + 1):
                modules.append(Module(
                    offering=plan.offering, order=order, title=rng.choice(SUBJECTS),
                    slug=f"module-{order}", kind=ModuleKind.REGULAR,
                    description=_paragraph(rng, 2),
                ))  # fmt: skip
                plan.modules.append(modules[-1])
            plan.presentations = Module(
                offering=plan.offering, order=len(plan.modules) + 1,
                title="Project presentations", slug="project-presentations",
                kind=ModuleKind.PRESENTATIONS,
                description="Every project group presents its project: 20 minutes.",
            )  # fmt: skip
            modules.append(plan.presentations)
        self.create(Module, modules)
        lectures = []
        for plan in self.plans:
            for module in plan.modules:
                plan.lectures[module.pk] = [
                    VideoLecture(
                        module=module, order=order,
                        speaker=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        title=_sentence(rng, 5)[:-1],
                        url=f"https://video.example.org/{module.offering.slug}/{rng.randrange(10**6)}",
                    )
                    for order in range(1, rng.randint(1, 3) + 1)
                ]  # fmt: skip
                lectures.extend(plan.lectures[module.pk])
        self.create(VideoLecture, lectures)
        parts = []
        for plan in self.plans:
            for lecture_list in plan.lectures.values():
                for lecture in lecture_list:
                    plan.parts[lecture.pk] = [
                        LecturePart(lecture=lecture, order=order, name=f"Lec{order}")
                        for order in range(1, rng.choice([0, 1, 2, 3]) + 1)
                    ]
                    parts.extend(plan.parts[lecture.pk])
        self.create(LecturePart, parts)
        self.phase(f"{len(modules)} modules, {len(lectures)} lectures, {len(parts)} parts")

    def sessions(self) -> None:
        """Two weekly series per offering and `sizes.sessions` dated sessions, spread over
        the regular modules in order; one in twenty is cancelled."""
        rng, count = self.rng, self.sizes.sessions
        series = []
        for plan in self.plans:
            for weekday, room in ((1, "ML13"), (3, "ML1")):
                series.append(SessionSeries(offering=plan.offering, weekday=weekday,
                                            start_time=clock(13, 15), end_time=clock(15),
                                            room=room))  # fmt: skip
        self.create(SessionSeries, series)
        rows = []
        for n, plan in enumerate(self.plans):
            tuesday, thursday = series[2 * n], series[2 * n + 1]
            per_module = max(1, math.ceil(count / len(plan.modules)))
            for index in range(count):
                week, one = divmod(index, 2)
                which = thursday if one else tuesday
                day = plan.offering.start_date + timedelta(weeks=week, days=which.weekday)
                cancelled = rng.random() < 0.05
                plan.sessions.append(DiscussionSession(
                    offering=plan.offering, series=which, series_date=day,
                    module=plan.modules[min(index // per_module, len(plan.modules) - 1)],
                    starts_at=_aware(day, which.start_time), ends_at=_aware(day, which.end_time),
                    room=which.room, is_cancelled=cancelled,
                    cancel_reason="The teacher is ill." if cancelled else "",
                    self_check_in=rng.random() < 0.3,
                ))  # fmt: skip
            rows.extend(plan.sessions)
        self.create(DiscussionSession, rows)
        self.phase(f"{len(series)} weekly series, {len(rows)} discussion sessions")

    def quizzes(self) -> None:
        """One quiz per regular module, closing the evening before the module's first
        session (about when it would be in the offering), three questions each."""
        rng = self.rng
        quizzes = []
        for plan in self.plans:
            weeks = max(1, 10 // len(plan.modules))
            for index, module in enumerate(plan.modules):
                day = plan.offering.start_date + timedelta(weeks=index * weeks)
                closes = _aware(day, clock(23, 59))
                quiz = Quiz(module=module, title=f"{module.title}: check your understanding",
                            introduction=_sentence(rng), opens_at=closes - timedelta(days=7),
                            closes_at=closes, attempts_allowed=2)  # fmt: skip
                plan.quizzes.append(quiz)
                quizzes.append(quiz)
        self.create(Quiz, quizzes)
        questions = []
        for plan in self.plans:
            for quiz in plan.quizzes:
                kinds = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.NUMERIC]
                plan.questions[quiz.pk] = [
                    QuizQuestion(quiz=quiz, order=order, kind=kind, text=_sentence(rng) + "?",
                                 explanation=_sentence(rng),
                                 numeric_answer=Decimal(rng.randint(1, 99))
                                 if kind == QuestionKind.NUMERIC else None)
                    for order, kind in enumerate(kinds, start=1)
                ]  # fmt: skip
                questions.extend(plan.questions[quiz.pk])
        self.create(QuizQuestion, questions)
        choices = []
        for plan in self.plans:
            for quiz_questions in plan.questions.values():
                for question in quiz_questions:
                    if question.kind == QuestionKind.NUMERIC:
                        continue
                    right = {0} if question.kind == QuestionKind.SINGLE else {0, 1}
                    plan.choices[question.pk] = [
                        QuizChoice(question=question, order=order + 1,
                                   text=_sentence(rng, 5), is_correct=order in right)
                        for order in range(3)
                    ]  # fmt: skip
                    choices.extend(plan.choices[question.pk])
        self.create(QuizChoice, choices)
        self.phase(f"{len(quizzes)} quizzes, {len(questions)} questions, {len(choices)} choices")

    def enrolments(self) -> None:
        """Every student accepted in 1-4 archived or running offerings (5 % in none), most
        of them with applications elsewhere too; the decisions and their mails."""
        rng = self.rng
        taking = [p for p in self.plans if p.role in (PAST, CURRENT)]
        upcoming = [p for p in self.plans if p.role == NEXT] or taking
        # Some offerings are far more popular than others.
        weights = list(itertools.accumulate(rng.lognormvariate(0, 0.8) for _ in taking))
        rows: list[tuple[Enrolment, Plan]] = []
        for student in self.students:
            level = Level.PHD if rng.random() < 0.25 else Level.MSC
            wanted = 0 if rng.random() < 0.05 else rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
            picked: dict[int, Plan] = {}
            for _ in range(4 * wanted):
                if len(picked) == wanted:
                    break
                plan = taking[bisect.bisect(weights, rng.random() * weights[-1])]
                picked.setdefault(plan.offering.course_id, plan)
            choices = [(plan, EnrolmentStatus.ACCEPTED) for plan in picked.values()]
            draw = rng.random()
            if draw < 0.4 or not choices:
                plan = rng.choice(upcoming)
                if plan.offering.course_id not in picked:
                    status = rng.choices(
                        [EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED,
                         EnrolmentStatus.REJECTED, EnrolmentStatus.WITHDRAWN],
                        weights=[60, 25, 10, 5],
                    )[0]  # fmt: skip
                    choices.append((plan, status))
                    picked[plan.offering.course_id] = plan
            if rng.random() < 0.06:
                plan = rng.choice(taking)
                if plan.offering.course_id not in picked:
                    choices.append((plan, rng.choice([EnrolmentStatus.REJECTED,
                                                      EnrolmentStatus.WITHDRAWN])))  # fmt: skip
            for plan, status in choices:
                opens = plan.offering.registration_opens
                applied = opens + timedelta(hours=rng.randint(1, 24 * 40))
                if plan.role == NEXT:
                    applied = min(applied, self.now - timedelta(hours=1))
                decided = status != EnrolmentStatus.APPLIED
                rows.append((Enrolment(
                    offering=plan.offering, student=student, level=level,
                    programme="PhD studies" if level == Level.PHD else "Computer Science",
                    motivation=_sentence(rng) if rng.random() < 0.3 else "",
                    status=status, applied_at=applied,
                    decided_at=applied + timedelta(days=7) if decided else None,
                    decided_by=plan.tas[0] if decided else None,
                    enrolled_on=plan.offering.start_date
                    if status == EnrolmentStatus.ACCEPTED else None,
                ), plan))  # fmt: skip
        self.create(Enrolment, [enrolment for enrolment, _ in rows])
        for enrolment, plan in rows:
            if enrolment.status == EnrolmentStatus.ACCEPTED:
                plan.accepted.append(enrolment)
        decisions, mails = Buffer(self.writer, EnrolmentDecision), Buffer(self.writer, OutgoingMail)
        for enrolment, plan in rows:
            student = enrolment.student
            decisions.add(EnrolmentDecision(
                enrolment_id=enrolment.pk, new_status=EnrolmentStatus.APPLIED,
                decided_by_id=student.pk,
                decided_at=enrolment.applied_at, note="application",
            ))  # fmt: skip
            if enrolment.status == EnrolmentStatus.APPLIED:
                continue
            decisions.add(EnrolmentDecision(
                enrolment_id=enrolment.pk, old_status=EnrolmentStatus.APPLIED,
                new_status=enrolment.status, decided_by_id=enrolment.decided_by_id,
                decided_at=enrolment.decided_at,
            ))  # fmt: skip
            if enrolment.status == EnrolmentStatus.WITHDRAWN:
                continue
            # Decisions of the offering open for registration partly wait for review.
            review = plan.role == NEXT and rng.random() < 0.5
            mails.add(OutgoingMail(
                offering_id=plan.offering.pk, recipient_id=student.pk,
                enrolment_id=enrolment.pk, to_email=student.email, kind=MailKind.DECISION,
                subject=f"{plan.offering.course.title}: your application",
                body=f"Dear {student.full_name},\n\nyour application was "
                f"{enrolment.get_status_display().lower()}.\n",
                status=MailStatus.REVIEW if review else MailStatus.SENT,
                created_at=enrolment.decided_at, next_attempt_at=enrolment.decided_at,
                attempts=0 if review else 1, sent_at=None if review else enrolment.decided_at,
            ))  # fmt: skip
        decisions.flush()
        mails.flush()
        statuses = Counter(e.status for e, _ in rows)
        self.phase(
            f"{len(rows)} enrolments ({', '.join(f'{n} {s}' for s, n in statuses.items())}), "
            f"{self.writer.counts['accounts.EnrolmentDecision']} decisions, "
            f"{self.writer.counts['accounts.OutgoingMail']} decision mails"
        )

    def attendance(self) -> None:
        rng, rows = self.rng, Buffer(self.writer, Attendance)
        for plan in self.plans:
            held = [s for s in plan.sessions if not s.is_cancelled and s.starts_at <= self.now]
            for enrolment in plan.accepted:
                habit = min(1.0, max(0.4, rng.gauss(0.86, 0.1)))
                for session in held:
                    draw = rng.random()
                    if draw < habit:
                        status = AttendanceStatus.PRESENT
                    elif draw < habit + 0.04:
                        status = AttendanceStatus.EXCUSED
                    else:
                        status = AttendanceStatus.ABSENT
                    rows.add(Attendance(session_id=session.pk, enrolment_id=enrolment.pk,
                                        status=status, active=draw < habit / 2,
                                        updated_at=session.ends_at,
                                        updated_by_id=plan.tas[0].pk))  # fmt: skip
        rows.flush()
        self.phase(f"{self.writer.counts['discussions.Attendance']} attendance records")

    def attempts(self) -> None:
        """Attempts at the quizzes that have closed: most students once, some twice."""
        rng = self.rng
        pending: list[tuple[QuizAttempt, list]] = []

        def write() -> None:
            self.create(QuizAttempt, [attempt for attempt, _ in pending])
            answers, picks = [], []
            for attempt, planned in pending:
                for question, right, chosen in planned:
                    answer = QuizAnswer(
                        attempt_id=attempt.pk, question_id=question.pk, is_correct=right,
                        numeric_value=question.numeric_answer + (0 if right else 7)
                        if question.kind == QuestionKind.NUMERIC else None,
                    )  # fmt: skip
                    answers.append(answer)
                    picks.extend((answer, choice) for choice in chosen)
            self.create(QuizAnswer, answers)
            through = QuizAnswer.choices.through
            self.create(through, [through(quizanswer_id=a.pk, quizchoice_id=c.pk)
                                  for a, c in picks])  # fmt: skip
            pending.clear()

        for plan in self.plans:
            closed = [q for q in plan.quizzes if q.closes_at < self.now]
            for enrolment in plan.accepted:
                skill = rng.uniform(0.5, 0.95)
                for quiz in closed:
                    tries = 0 if rng.random() < 0.12 else (2 if rng.random() < 0.2 else 1)
                    for number in range(1, tries + 1):
                        planned = []
                        for question in plan.questions[quiz.pk]:
                            right = rng.random() < skill
                            choices = plan.choices.get(question.pk, [])
                            chosen = [c for c in choices if c.is_correct] if right else choices[-1:]
                            planned.append((question, right, chosen))
                        score = sum(1 for _, right, _ in planned if right)
                        attempt = QuizAttempt(
                            quiz_id=quiz.pk, enrolment_id=enrolment.pk, number=number,
                            submitted_at=quiz.closes_at - timedelta(hours=rng.randint(2, 120)),
                            score=score, max_score=len(planned),
                        )  # fmt: skip
                        pending.append((attempt, planned))
                if len(pending) >= BATCH:
                    write()
        write()
        counts = self.writer.counts
        self.phase(f"{counts['course.QuizAttempt']} quiz attempts, "
                   f"{counts['course.QuizAnswer']} answers")  # fmt: skip

    def watched(self) -> None:
        """Lecture parts ticked as watched, in the modules whose quiz has opened."""
        rng, rows = self.rng, Buffer(self.writer, WatchedPart)
        watched_at = self.now - timedelta(days=1)
        for plan in self.plans:
            units = []
            for module, quiz in zip(plan.modules, plan.quizzes, strict=True):
                if quiz.opens_at > self.now:
                    continue
                for lecture in plan.lectures[module.pk]:
                    units.extend((lecture, part) for part in plan.parts[lecture.pk] or [None])
            for enrolment in plan.accepted:
                diligence = rng.uniform(0.3, 1.0)
                for lecture, part in units:
                    if rng.random() < diligence:
                        rows.add(WatchedPart(enrolment_id=enrolment.pk, lecture_id=lecture.pk,
                                             part_id=part and part.pk,
                                             watched_at=watched_at))  # fmt: skip
        rows.flush()
        self.phase(f"{self.writer.counts['course.WatchedPart']} lecture parts watched")

    def projects(self) -> None:
        rng = self.rng
        deliverables = []
        for plan in self.plans:
            planning = _aware(plan.offering.start_date + timedelta(weeks=3), clock(23, 59))
            report = _aware(plan.offering.end_date - timedelta(days=4), clock(23, 59))
            for order, (slug, title, due, required) in enumerate([
                ("planning-report", "Planning report", planning, True),
                ("project-report", "Project report", report, True),
                ("slides", "Presentation slides", report - timedelta(hours=11), False),
            ], start=1):  # fmt: skip
                plan.deliverables.append(Deliverable(
                    offering=plan.offering, order=order, slug=slug, title=title, due_at=due,
                    required=required, max_pages=4 if slug == "project-report" else None,
                    description=_sentence(rng),
                ))  # fmt: skip
            deliverables.extend(plan.deliverables)
        self.create(Deliverable, deliverables)

        groups = []
        for plan in self.plans:
            if plan.role == NEXT:
                continue
            students = list(plan.accepted)
            rng.shuffle(students)
            size = plan.offering.group_size
            grouped = students[: int(len(students) * 0.92) // size * size]
            for number, index in enumerate(range(0, len(grouped), size), start=1):
                group = ProjectGroup(
                    offering=plan.offering, number=number, invite_code=self.invite_code(),
                    created_by=grouped[index].student,
                    created_at=_aware(plan.offering.start_date + timedelta(days=7), clock(10)),
                    presented=(rng.random() > 0.03) if plan.role == PAST else None,
                )  # fmt: skip
                plan.groups.append(group)
                groups.append((plan, group, grouped[index : index + size]))
        self.create(ProjectGroup, [group for _, group, _ in groups])
        memberships = []
        for plan, group, members in groups:
            plan.members[group.pk] = members
            memberships.extend(
                Membership(group=group, enrolment=enrolment, joined_at=group.created_at)
                for enrolment in members
            )
        self.create(Membership, memberships)
        self.proposals()
        self.submissions()
        self.phase(
            f"{len(deliverables)} deliverables, {len(groups)} groups, {len(memberships)} members, "
            f"{self.writer.counts['projects.Proposal']} proposals, "
            f"{self.writer.counts['projects.Submission']} submissions"
        )

    def proposals(self) -> None:
        rng = self.rng
        proposals, topics, events = [], [], []
        for plan in self.plans:
            for group in plan.groups:
                if plan.role == PAST:
                    status = ProposalStatus.ACCEPTED
                else:
                    status = rng.choices(
                        [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED,
                         ProposalStatus.REVISION], weights=[20, 30, 40, 10],
                    )[0]  # fmt: skip
                submitted = group.created_at + timedelta(days=5)
                decided = submitted + timedelta(days=3)
                is_decided = status in (ProposalStatus.ACCEPTED, ProposalStatus.REVISION)
                proposal = Proposal(
                    group=group, title=_sentence(rng, 6)[:-1], description=_paragraph(rng, 3),
                    abstract=_paragraph(rng, 5) if status == ProposalStatus.ACCEPTED else "",
                    status=status, version=rng.randint(1, 6), updated_at=submitted,
                    updated_by=group.created_by,
                    submitted_at=submitted if status != ProposalStatus.DRAFT else None,
                    decided_at=decided if is_decided else None,
                    decided_by=plan.tas[0] if is_decided else None,
                    staff_comment=_sentence(rng) if status == ProposalStatus.REVISION else "",
                )  # fmt: skip
                proposals.append(proposal)
                topics.extend((proposal, m) for m in rng.sample(plan.modules, rng.randint(1, 3)))
                if status != ProposalStatus.DRAFT:
                    events.append((proposal, ProposalStatus.SUBMITTED, None, submitted))
                if is_decided:
                    events.append((proposal, status, plan.tas[0], decided))
        self.create(Proposal, proposals)
        through = Proposal.topics.through
        self.create(through, [through(proposal_id=p.pk, module_id=m.pk) for p, m in topics])
        self.create(ProposalEvent, [ProposalEvent(proposal=p, status=s, by=by, at=at)
                                    for p, s, by, at in events])  # fmt: skip

    def stored_files(self) -> dict[str, tuple[str, int, int, str]]:
        """A handful of small PDFs, stored once and shared by every generated submission:
        {deliverable slug: (name in storage, size, pages, sha256)}."""
        files = {}
        for slug, title, pages in (("planning-report", "Planning report", 1),
                                   ("project-report", "Project report", 4),
                                   ("slides", "Presentation slides", 2)):  # fmt: skip
            content = projects_demo.demo_pdf("A generated project", ("Load Data",), title, pages)
            name = default_storage.save(f"submissions/load-data/{slug}.pdf", ContentFile(content))
            files[slug] = (name, len(content), pages, hashlib.sha256(content).hexdigest())
        return files

    def submissions(self) -> None:
        """Planning reports from nearly every group whose deadline has passed, project
        reports from the archived offerings, a few second versions, late ones and
        extensions."""
        rng = self.rng
        files = self.stored_files()
        rows, extensions = Buffer(self.writer, Submission), []
        for plan in self.plans:
            for group in plan.groups:
                members = plan.members[group.pk]
                for deliverable in plan.deliverables:
                    extended = None
                    if deliverable.slug == "project-report" and rng.random() < 0.02:
                        extended = Extension(
                            deliverable=deliverable, group=group, reason="Illness",
                            due_at=deliverable.due_at + timedelta(days=3), granted_by=plan.tas[0],
                            granted_at=deliverable.due_at - timedelta(days=2),
                        )  # fmt: skip
                        extensions.append(extended)
                    due = deliverable.due_for(extended)
                    chance = 0.3 if not deliverable.required else 0.97
                    if due > self.now or rng.random() > chance:
                        continue
                    name, size, pages, digest = files[deliverable.slug]
                    versions = 2 if rng.random() < 0.15 else 1
                    for version in range(1, versions + 1):
                        hours = rng.randint(-96, 4 if rng.random() < 0.08 else -1)
                        at = due + timedelta(hours=hours + version - versions)
                        rows.add(Submission(
                            deliverable=deliverable, group=group, version=version, file=name,
                            original_name=f"{deliverable.slug}.pdf", size=size, pages=pages,
                            sha256=digest, uploaded_by=rng.choice(members).student,
                            uploaded_at=at, late_by=at - due if at > due else None,
                            feedback=_sentence(rng) if rng.random() < 0.1 else "",
                        ))  # fmt: skip
        rows.flush()
        self.create(Extension, extensions)

    def presentations(self) -> None:
        """Archived offerings: afternoons of six 20-minute slots, every group placed and
        published. Running ones: two afternoons planned, nobody placed yet."""
        sessions, slots = [], []
        for plan in self.plans:
            if plan.role == NEXT:
                continue
            count = math.ceil(len(plan.groups) / 6) if plan.role == PAST else 2
            end = plan.offering.end_date
            for n in range(count):
                day = end - timedelta(days=n % 4)
                begins = _aware(day, clock(8 + 2 * (n // 4) % 10, 15))
                session = PresentationSession(
                    offering=plan.offering, module=plan.presentations, starts_at=begins,
                    ends_at=begins + timedelta(hours=2), room=f"Room {n + 1}", slot_minutes=20,
                )  # fmt: skip
                sessions.append(session)
                if plan.role != PAST:
                    continue
                for position, group in enumerate(plan.groups[6 * n : 6 * n + 6]):
                    starts = begins + timedelta(minutes=20 * position)
                    slots.append((session, position, group, starts))
        self.create(PresentationSession, sessions)
        self.create(PresentationSlot, [
            PresentationSlot(session=s, position=p, group=g, starts_at=at,
                             ends_at=at + timedelta(minutes=20), published=True)
            for s, p, g, at in slots
        ])  # fmt: skip
        self.phase(f"{len(sessions)} presentation sessions, {len(slots)} slots")

    def announcements(self) -> None:
        rng, rows = self.rng, []
        for plan in self.plans:
            start = _aware(plan.offering.start_date, clock(9))
            for n in range(rng.randint(2, 4)):
                when = start + timedelta(weeks=3 * n) - timedelta(weeks=2)
                if plan.role == NEXT and n > 0:
                    when = None  # a draft
                rows.append(Announcement(
                    offering=plan.offering, title=_sentence(rng, 4)[:-1],
                    body=_paragraph(rng, 3) + "\n\n- " + _sentence(rng) + "\n- "
                    + _sentence(rng), published_at=when, author=plan.responsible,
                    mailed_at=when if when and when < self.now and rng.random() < 0.5 else None,
                ))  # fmt: skip
        self.create(Announcement, rows)
        self.phase(f"{len(rows)} announcements")

    def grading(self) -> None:
        """The default scales and rubric for the archived and running offerings; the
        archived ones assessed, graded and signed off by the course responsible, with the
        result mails sent."""
        rng = self.rng
        plans = [p for p in self.plans if p.role != NEXT]
        scales = {}
        for plan in plans:
            for level, (name, _) in DEFAULT_SCALES.items():
                scales[plan.offering.pk, level] = GradingScale(
                    offering=plan.offering, level=level, name=name
                )
        self.create(GradingScale, list(scales.values()))
        grades = {}
        for (offering_id, level), scale in scales.items():
            grades[offering_id, level] = [
                ScaleGrade(scale=scale, code=c, label=lb, passing=p, equivalent=eq)
                for c, lb, p, eq in DEFAULT_SCALES[level][1]
            ]
        self.create(ScaleGrade, [g for scale_grades in grades.values() for g in scale_grades])
        rubrics = {plan.offering.pk: Rubric(offering=plan.offering) for plan in plans}
        self.create(Rubric, list(rubrics.values()))
        criteria = {
            offering_id: [
                RubricCriterion(rubric=rubric, order=order, name=name, description=text)
                for order, (name, text, _) in enumerate(DEFAULT_RUBRIC)
            ]
            for offering_id, rubric in rubrics.items()
        }
        self.create(RubricCriterion, [c for cs in criteria.values() for c in cs])
        levels = {}
        for offering_criteria in criteria.values():
            for criterion, (_, _, criterion_levels) in zip(
                offering_criteria, DEFAULT_RUBRIC, strict=True
            ):
                levels[criterion.pk] = [
                    RubricLevel(criterion=criterion, points=pt, label=lb, insufficient=bad)
                    for pt, lb, bad in criterion_levels
                ]
        self.create(RubricLevel, [lv for lvs in levels.values() for lv in lvs])

        assessments, chosen, finals, changes, events, mails = [], [], [], [], [], []
        for plan in plans:
            if plan.role != PAST:
                continue
            offering, signed = plan.offering, _aware(plan.offering.end_date + timedelta(days=14),
                                                     clock(9))  # fmt: skip
            project_grade = {}
            for group in plan.groups:
                for assessor in plan.tas if rng.random() < 0.1 else plan.tas[:1]:
                    picked = [
                        levels[c.pk][0 if rng.random() < 0.01 else rng.randint(1, 3)]
                        for c in criteria[offering.pk]
                    ]
                    suggested = rubric_suggest(rubrics[offering.pk], picked)
                    assessments.append(ProjectAssessment(
                        group=group, assessor=assessor, suggested=suggested, grade=suggested,
                        comment=_sentence(rng), created_at=signed - timedelta(days=7),
                        updated_at=signed - timedelta(days=7),
                    ))  # fmt: skip
                    chosen.append(picked)
                    project_grade.setdefault(group.pk, suggested)
                for enrolment in plan.members[group.pk]:
                    project_grade[enrolment.pk] = project_grade[group.pk]
            for enrolment in plan.accepted:
                grade = scale_grade_for(
                    grades[offering.pk, enrolment.level],
                    project_grade.get(enrolment.pk, ProjectGrade.FAIL),
                )
                when = signed - timedelta(days=1)
                finals.append(FinalGrade(
                    enrolment=enrolment, grade=grade.code, proposed=grade.code,
                    set_by=plan.responsible, set_at=when, notified_grade=grade.code,
                ))  # fmt: skip
                changes.append(GradeChange(
                    enrolment=enrolment, new_grade=grade.code, proposed=grade.code,
                    changed_by=plan.responsible, changed_at=when,
                ))  # fmt: skip
                mails.append(OutgoingMail(
                    offering_id=offering.pk, recipient_id=enrolment.student_id,
                    enrolment_id=enrolment.pk, to_email=enrolment.student.email,
                    kind=MailKind.RESULT,
                    subject=f"{offering.course.title}: your result",
                    body=f"Your grade: {grade.code}.\n", status=MailStatus.SENT, created_at=signed,
                    next_attempt_at=signed, attempts=1, sent_at=signed,
                ))  # fmt: skip
            events.append(ResultsEvent(offering=offering, action=ResultsAction.SIGNED_OFF,
                                       by=plan.responsible, at=signed))  # fmt: skip
        self.create(ProjectAssessment, assessments)
        through = ProjectAssessment.levels.through
        self.create(through, [
            through(projectassessment_id=a.pk, rubriclevel_id=lv.pk)
            for a, picked in zip(assessments, chosen, strict=True) for lv in picked
        ])  # fmt: skip
        for model, rows in ((FinalGrade, finals), (GradeChange, changes),
                            (ResultsEvent, events), (OutgoingMail, mails)):  # fmt: skip
            self.create(model, rows)
        self.phase(f"scales and rubrics for {len(plans)} offerings, {len(assessments)} "
                   f"assessments, {len(finals)} final grades, {len(events)} sign-offs")  # fmt: skip


def generate(sizes: Sizes, *, seed: int = 2016, say: Callable[[str], None] = print) -> Counter[str]:
    """Write the generated university into the database, in one transaction.

    Raises AlreadyGenerated when generated courses are there already. Returns the number
    of rows written per model label. Side effects: the rows; three small PDFs in the
    default storage (under submissions/load-data/).
    """
    with transaction.atomic():
        if generated_exists():
            raise AlreadyGenerated(
                f"The database holds generated data already ({CODE_PREFIX}… courses): "
                "generate into a fresh database (the demo may be loaded in it)."
            )
        return Generator(sizes, seed, say).run()


# -- checking what is there -------------------------------------------------------------


def generated_students() -> models.QuerySet[User]:
    return User.objects.filter(email__startswith="student", email__endswith=f"@{EMAIL_DOMAIN}")


def generated_counts() -> dict[str, int]:
    """The sizes of the generated data, read back from the database."""
    courses = Course.objects.filter(code__startswith=CODE_PREFIX)
    offerings = Offering.objects.filter(course__in=courses)
    enrolments = Enrolment.objects.filter(offering__in=offerings)
    return {
        "courses": courses.count(),
        "offerings": offerings.count(),
        "students": generated_students().count(),
        "enrolments": enrolments.count(),
        "accepted enrolments": enrolments.accepted().count(),
        "discussion sessions": DiscussionSession.objects.filter(offering__in=offerings).count(),
        "attendance records": Attendance.objects.filter(session__offering__in=offerings).count(),
        "quiz attempts": QuizAttempt.objects.filter(quiz__module__offering__in=offerings).count(),
        "project groups": ProjectGroup.objects.filter(offering__in=offerings).count(),
        "submissions": Submission.objects.filter(group__offering__in=offerings).count(),
        "final grades": FinalGrade.objects.filter(enrolment__offering__in=offerings).count(),
        "outgoing mails": OutgoingMail.objects.filter(offering__in=offerings).count(),
    }


def check(sizes: Sizes) -> list[str]:
    """What differs from the sizes asked for (empty when all is as asked): the numbers of
    courses, offerings per course and students; each offering's sessions; every generated
    student accepted in at most 4 offerings; no generated student in an offering that is
    not generated (the demo's stay as they were)."""
    problems = []
    counts = generated_counts()
    for name, expected in (("courses", sizes.courses), ("students", sizes.students),
                           ("offerings", sizes.courses * sizes.offerings_per_course)):  # fmt: skip
        if counts[name] != expected:
            problems.append(f"{counts[name]} generated {name}, asked for {expected}")
    generated = Offering.objects.filter(course__code__startswith=CODE_PREFIX)
    per_course = set(
        Course.objects.filter(code__startswith=CODE_PREFIX)
        .annotate(n=Count("offerings"))
        .values_list("n", flat=True)
    )
    if per_course - {sizes.offerings_per_course}:
        problems.append(f"offerings per course: {sorted(per_course)}")
    per_offering = set(
        generated.annotate(n=Count("discussion_sessions")).values_list("n", flat=True)
    )
    if per_offering - {sizes.sessions}:
        problems.append(f"sessions per offering: {sorted(per_offering)}")
    students = generated_students()
    most = (
        Enrolment.objects.accepted()
        .filter(student__in=students)
        .values("student")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
    )
    if most is not None and most > 4:
        problems.append(f"a generated student is accepted in {most} offerings")
    if Enrolment.objects.filter(student__in=students).exclude(offering__in=generated).exists():
        problems.append("generated students are enrolled in offerings that are not generated")
    return problems


def database_size() -> str:
    """The database's size on disk, as PostgreSQL or SQLite tells it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
            return f"{cursor.fetchone()[0] / 2**20:.0f} MB"
    return "unknown"
