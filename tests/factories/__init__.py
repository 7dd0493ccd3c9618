from .accounts import EnrolmentFactory, UserFactory
from .course import (
    AnnouncementFactory,
    CourseFactory,
    LecturePartFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    VideoLectureFactory,
)
from .projects import DeliverableFactory, MembershipFactory, ProjectGroupFactory, ProposalFactory
from .sessions import DiscussionSessionFactory, SessionSeriesFactory

__all__ = [
    "AnnouncementFactory",
    "CourseFactory",
    "DeliverableFactory",
    "DiscussionSessionFactory",
    "EnrolmentFactory",
    "LecturePartFactory",
    "MembershipFactory",
    "ModuleFactory",
    "OfferingFactory",
    "ProjectGroupFactory",
    "ProposalFactory",
    "SessionSeriesFactory",
    "StaffFactory",
    "UserFactory",
    "VideoLectureFactory",
]
